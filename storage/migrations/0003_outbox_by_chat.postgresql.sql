-- Migration 3: a chat's pending replies are found without reading every reply ever sent.

CREATE INDEX "outbox_message_tenant_id_chat_status_id" ON "outbox_message" ("tenant_id", "chat", "status", "id");
