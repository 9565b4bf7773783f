export declare const root: string;
export declare const sourceDir: string;
export declare const outDir: string;
export declare function buildLivePage(): Promise<void>;
