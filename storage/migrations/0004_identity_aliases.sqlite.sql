-- Migration 4: the other forms of a person's identity (WhatsApp's hidden linked id, Meta's
-- business-scoped id) and the phone number each stands for, learned from webhooks that carry
-- both, so one person is one identity whichever form their next message comes with.

CREATE TABLE "identity_alias" ("id" INTEGER NOT NULL PRIMARY KEY, "tenant_id" INTEGER NOT NULL, "alias" VARCHAR(64) NOT NULL, "identity" VARCHAR(64) NOT NULL, "learned_at" DATETIME NOT NULL, FOREIGN KEY ("tenant_id") REFERENCES "tenant" ("id") ON DELETE CASCADE);
CREATE UNIQUE INDEX "identity_alias_tenant_id_alias" ON "identity_alias" ("tenant_id", "alias");
