-- Migration 2: leads, the people who write to the bot without being sellers.

CREATE TABLE "lead" ("id" SERIAL NOT NULL PRIMARY KEY, "tenant_id" INTEGER NOT NULL, "identity" VARCHAR(64) NOT NULL, "name" VARCHAR(100) NOT NULL, "messages" INTEGER NOT NULL, "last_text" TEXT NOT NULL, "first_seen" TIMESTAMP NOT NULL, "last_seen" TIMESTAMP NOT NULL, FOREIGN KEY ("tenant_id") REFERENCES "tenant" ("id") ON DELETE CASCADE);
CREATE INDEX "lead_tenant_id" ON "lead" ("tenant_id");
CREATE UNIQUE INDEX "lead_tenant_id_identity" ON "lead" ("tenant_id", "identity");
