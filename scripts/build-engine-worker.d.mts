export declare const root: string;
export declare const workerFile: string;
export declare function buildEngineWorker(): Promise<void>;
export declare function watchEngineWorker(): Promise<{ dispose(): Promise<void> }>;
