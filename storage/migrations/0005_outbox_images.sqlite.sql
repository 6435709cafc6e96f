-- Migration 5: a reply may carry a photo (its name in the tenant's photo folder); its text is
-- then the photo's caption.

ALTER TABLE "outbox_message" ADD COLUMN "image" VARCHAR(200);
