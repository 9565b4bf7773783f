-- Tournament chat on /tmx (docs/chat.md). Messages live 24 hours; the server prunes older ones.
-- `seq` is one sequence for the whole table: unique and increasing per tournament as well, with
-- every instance writing at once. provider_id is the tournament's owner when the message was sent.
CREATE TABLE chat_messages (
  seq             bigserial PRIMARY KEY,
  tournament_id   text        NOT NULL,
  provider_id     text,
  provider_abbr   text,
  tournament_name text,
  user_name       text        NOT NULL,
  message         text        NOT NULL,
  client_msg_id   text,
  is_admin        boolean     NOT NULL DEFAULT false,
  at              timestamptz NOT NULL
);
-- History on join and gap fills read one tournament in seq order.
CREATE INDEX chat_messages_tournament_idx ON chat_messages (tournament_id, seq);
-- Pruning reads by age.
CREATE INDEX chat_messages_at_idx ON chat_messages (at);
