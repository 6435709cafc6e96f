-- Migration 6: the buyer side. A lead's status (new, warm, hot, closed, lost), the car asked
-- about last and who was alerted; the cars each lead asked about (their sellers see them); one
-- row per buyer message as it was read and answered (the numbers of /stats, and the demand the
-- stock did not meet); indexes for the buyers' searches of the stock.

ALTER TABLE "lead" ADD COLUMN "status" VARCHAR(8) NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'warm', 'hot', 'closed', 'lost'));
ALTER TABLE "lead" ADD COLUMN "last_car" VARCHAR(12) NOT NULL DEFAULT '';
ALTER TABLE "lead" ADD COLUMN "alerted" VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE "lead" ADD COLUMN "alerts" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "lead" ADD COLUMN "status_at" DATETIME;
CREATE INDEX "lead_tenant_id_status_last_seen" ON "lead" ("tenant_id", "status", "last_seen");

CREATE TABLE "lead_car" ("id" INTEGER NOT NULL PRIMARY KEY, "tenant_id" INTEGER NOT NULL, "identity" VARCHAR(64) NOT NULL, "code" VARCHAR(12) NOT NULL, "first_at" DATETIME NOT NULL, "last_at" DATETIME NOT NULL, FOREIGN KEY ("tenant_id") REFERENCES "tenant" ("id") ON DELETE CASCADE);
CREATE UNIQUE INDEX "lead_car_tenant_id_identity_code" ON "lead_car" ("tenant_id", "identity", "code");
CREATE INDEX "lead_car_tenant_id_code" ON "lead_car" ("tenant_id", "code");

CREATE TABLE "buyer_question" ("id" INTEGER NOT NULL PRIMARY KEY, "tenant_id" INTEGER NOT NULL, "identity" VARCHAR(64) NOT NULL, "intent" VARCHAR(16) NOT NULL, "code" VARCHAR(12) NOT NULL, "wanted" VARCHAR(200) NOT NULL, "found" INTEGER, "answered" INTEGER NOT NULL, "alerted" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("tenant_id") REFERENCES "tenant" ("id") ON DELETE CASCADE);
CREATE INDEX "buyer_question_tenant_id_created_at" ON "buyer_question" ("tenant_id", "created_at");

CREATE INDEX "listing_tenant_id_status_make_model" ON "listing" ("tenant_id", "status", "make", "model");
CREATE INDEX "listing_tenant_id_status_price_idr" ON "listing" ("tenant_id", "status", "price_idr");
