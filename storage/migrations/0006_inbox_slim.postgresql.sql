-- Migration 4: the inbox keeps the parsed event only. The raw body was a second copy of what
-- the event holds (never read back) and goes; a photo a gateway sent inline is a file in the
-- media store that the event names (media_file), not text in the row; and processed events
-- are found by age, for pruning, without reading the whole table.

-- Events already processed no longer carry the photo they held inline: it was stored in its
-- three sizes (or given up on) long ago. Unprocessed ones keep it: they still need it.
UPDATE "inbox_event" SET "event" = ("event"::jsonb #- '{media,inline_b64}')::text WHERE "status" != 'new' AND strpos("event", '"inline_b64":"') > 0;
ALTER TABLE "inbox_event" DROP COLUMN "raw";
ALTER TABLE "inbox_event" ADD COLUMN "media_file" VARCHAR(200);
CREATE INDEX "inbox_event_status_processed_at" ON "inbox_event" ("status", "processed_at");
