-- Migration 1: the initial schema. Frozen: later changes are new numbered files.

CREATE TABLE "tenant" ("id" SERIAL NOT NULL PRIMARY KEY, "slug" VARCHAR(63) NOT NULL, "name" VARCHAR(200) NOT NULL, "public_url" VARCHAR(500) NOT NULL, "whatsapp_number" VARCHAR(32) NOT NULL, "language" VARCHAR(2) NOT NULL CHECK (language IN ('id', 'en')), "primary_color" VARCHAR(7) NOT NULL, "accent_color" VARCHAR(7) NOT NULL, "created_at" TIMESTAMP NOT NULL);
CREATE UNIQUE INDEX "tenant_slug" ON "tenant" ("slug");

CREATE TABLE "person" ("id" SERIAL NOT NULL PRIMARY KEY, "tenant_id" INTEGER NOT NULL, "phone" VARCHAR(64) NOT NULL, "name" VARCHAR(100) NOT NULL, "role" VARCHAR(10) NOT NULL CHECK (role IN ('seller', 'admin')), "active" BOOLEAN NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, FOREIGN KEY ("tenant_id") REFERENCES "tenant" ("id") ON DELETE CASCADE);
CREATE INDEX "person_tenant_id" ON "person" ("tenant_id");
CREATE UNIQUE INDEX "person_tenant_id_phone" ON "person" ("tenant_id", "phone");

CREATE TABLE "conversation_session" ("id" SERIAL NOT NULL PRIMARY KEY, "tenant_id" INTEGER NOT NULL, "user" VARCHAR(64) NOT NULL, "state" VARCHAR(32) NOT NULL, "data" TEXT NOT NULL, "version" INTEGER NOT NULL, "updated_at" TIMESTAMP NOT NULL, "expires_at" TIMESTAMP, FOREIGN KEY ("tenant_id") REFERENCES "tenant" ("id") ON DELETE CASCADE);
CREATE INDEX "conversation_session_tenant_id" ON "conversation_session" ("tenant_id");
CREATE UNIQUE INDEX "conversation_session_tenant_id_user" ON "conversation_session" ("tenant_id", "user");

CREATE TABLE "inbox_event" ("id" SERIAL NOT NULL PRIMARY KEY, "tenant_id" INTEGER NOT NULL, "dedupe_key" VARCHAR(200) NOT NULL, "sender" VARCHAR(64) NOT NULL, "raw" TEXT NOT NULL, "event" TEXT NOT NULL, "status" VARCHAR(8) NOT NULL CHECK (status IN ('new', 'done', 'dead')), "attempts" INTEGER NOT NULL, "received_at" TIMESTAMP NOT NULL, "processed_at" TIMESTAMP, "last_error" TEXT, FOREIGN KEY ("tenant_id") REFERENCES "tenant" ("id") ON DELETE CASCADE);
CREATE INDEX "inbox_event_tenant_id" ON "inbox_event" ("tenant_id");
CREATE UNIQUE INDEX "inbox_event_tenant_id_dedupe_key" ON "inbox_event" ("tenant_id", "dedupe_key");
CREATE INDEX "inbox_event_status_id" ON "inbox_event" ("status", "id");

CREATE TABLE "outbox_message" ("id" SERIAL NOT NULL PRIMARY KEY, "tenant_id" INTEGER NOT NULL, "chat" VARCHAR(64) NOT NULL, "text" TEXT NOT NULL, "dedupe_key" VARCHAR(200), "status" VARCHAR(8) NOT NULL CHECK (status IN ('pending', 'sent', 'failed')), "attempts" INTEGER NOT NULL, "next_attempt_at" TIMESTAMP NOT NULL, "created_at" TIMESTAMP NOT NULL, "sent_at" TIMESTAMP, "last_error" TEXT, FOREIGN KEY ("tenant_id") REFERENCES "tenant" ("id") ON DELETE CASCADE);
CREATE INDEX "outbox_message_tenant_id" ON "outbox_message" ("tenant_id");
CREATE UNIQUE INDEX "outbox_message_tenant_id_dedupe_key" ON "outbox_message" ("tenant_id", "dedupe_key");
CREATE INDEX "outbox_message_status_next_attempt_at" ON "outbox_message" ("status", "next_attempt_at");

CREATE TABLE "listing" ("id" SERIAL NOT NULL PRIMARY KEY, "tenant_id" INTEGER NOT NULL, "code" VARCHAR(12) NOT NULL, "slug" VARCHAR(160) NOT NULL, "seller" VARCHAR(64) NOT NULL, "make" VARCHAR(40) NOT NULL, "model" VARCHAR(60) NOT NULL, "variant" VARCHAR(80) NOT NULL, "year" SMALLINT, "transmission" VARCHAR(10) NOT NULL, "fuel" VARCHAR(10) NOT NULL, "color" VARCHAR(30) NOT NULL, "mileage_km" INTEGER, "price_idr" BIGINT NOT NULL CHECK (price_idr >= 0), "original_text" TEXT NOT NULL, "description" TEXT NOT NULL, "status" VARCHAR(10) NOT NULL CHECK (status IN ('available', 'booking', 'sold', 'hidden', 'deleted')), "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "cover_photo_id" INTEGER, FOREIGN KEY ("tenant_id") REFERENCES "tenant" ("id") ON DELETE CASCADE);
CREATE INDEX "listing_tenant_id" ON "listing" ("tenant_id");
CREATE INDEX "listing_cover_photo_id" ON "listing" ("cover_photo_id");
CREATE UNIQUE INDEX "listing_tenant_id_code" ON "listing" ("tenant_id", "code");
CREATE UNIQUE INDEX "listing_tenant_id_slug" ON "listing" ("tenant_id", "slug");
CREATE INDEX "listing_tenant_id_status_created_at" ON "listing" ("tenant_id", "status", "created_at");

CREATE TABLE "photo" ("id" SERIAL NOT NULL PRIMARY KEY, "tenant_id" INTEGER NOT NULL, "listing_id" INTEGER, "session_id" INTEGER, "position" SMALLINT NOT NULL, "content_hash" VARCHAR(64) NOT NULL, "file_large" VARCHAR(200) NOT NULL, "file_medium" VARCHAR(200) NOT NULL, "file_thumb" VARCHAR(200) NOT NULL, "width" INTEGER NOT NULL, "height" INTEGER NOT NULL, "bytes" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("tenant_id") REFERENCES "tenant" ("id") ON DELETE CASCADE, FOREIGN KEY ("listing_id") REFERENCES "listing" ("id") ON DELETE CASCADE, FOREIGN KEY ("session_id") REFERENCES "conversation_session" ("id") ON DELETE SET NULL, CHECK (listing_id IS NOT NULL OR session_id IS NOT NULL));
CREATE INDEX "photo_tenant_id" ON "photo" ("tenant_id");
CREATE INDEX "photo_listing_id" ON "photo" ("listing_id");
CREATE INDEX "photo_session_id" ON "photo" ("session_id");
CREATE UNIQUE INDEX "photo_listing_id_position" ON "photo" ("listing_id", "position");
CREATE UNIQUE INDEX "photo_session_id_position" ON "photo" ("session_id", "position");

CREATE TABLE "audit_entry" ("id" SERIAL NOT NULL PRIMARY KEY, "tenant_id" INTEGER NOT NULL, "actor" VARCHAR(64) NOT NULL, "action" VARCHAR(60) NOT NULL, "target" VARCHAR(200) NOT NULL, "allowed" BOOLEAN NOT NULL, "detail" TEXT NOT NULL, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("tenant_id") REFERENCES "tenant" ("id") ON DELETE CASCADE);
CREATE INDEX "audit_entry_tenant_id" ON "audit_entry" ("tenant_id");
CREATE INDEX "audit_entry_tenant_id_created_at" ON "audit_entry" ("tenant_id", "created_at");
