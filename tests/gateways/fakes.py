"""Fakes of the gateways' send APIs, served as real HTTP servers on loopback ports.

Each checks a request the way its gateway does (the credential, the chat address, the body's
fields) and answers as it does, its errors included; what it records is where the message
would have gone. The behaviour comes from each gateway's source (named at each class; read, not
copied). WhatsApp Web API's fake is the simulator (gateways/simulator.py).
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import re
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import trio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from web.server import WebServer


@dataclass
class Delivered:
    to: str  # the WhatsApp address the gateway sends to
    text: str  # the message, or the photo's caption
    image: bytes = b""  # the photo, as the gateway got it (given, or downloaded)


@dataclass
class FakeGateway:
    credential: str = ""  # the API key / password the gateway is configured with
    on_whatsapp: set[str] = field(default_factory=set)  # phone numbers that have WhatsApp
    lid_phones: dict[str, str] = field(default_factory=dict)  # hidden ids it can resolve
    connected: bool = True
    delivered: list[Delivered] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(routes=self.routes())

    def routes(self) -> list[Route]:
        raise NotImplementedError


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """Serve `app` on a free loopback port for the block; yields its base URL."""
    server = WebServer(app, "127.0.0.1", 0, name="fake gateway")
    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(server.run)
            yield server.url
            nursery.cancel_scope.cancel()
    finally:
        server.close()


async def download(url: str) -> bytes | None:
    """What a gateway that takes a URL does: GET it, 200 or nothing."""
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(url)
    except httpx.HTTPError:
        return None
    return response.content if response.status_code == 200 else None


def message_id() -> str:
    return "3EB0" + secrets.token_hex(8).upper()


class FakeGoWA(FakeGateway):
    """aldinokemal/go-whatsapp-web-multidevice v9: src/ui/rest/send.go (routes, answers),
    src/cmd/rest.go (basic auth: fiber's plain-text 401), src/validations/send_validation.go,
    src/pkg/utils/whatsapp.go (SanitizePhone: bare digits get @s.whatsapp.net, or @g.us past
    15 digits; ValidateJidWithLogin: an @lid is resolved to its phone when known, else used as
    it is; IsOnWhatsapp refuses a phone that is not on WhatsApp), src/pkg/error/*.go (codes)."""

    def routes(self) -> list[Route]:
        return [
            Route("/send/message", self.send_message, methods=["POST"]),
            Route("/send/image", self.send_image, methods=["POST"]),
        ]

    def _refusal(self, request: Request) -> Response | None:
        if self.credential:
            expected = "Basic " + base64.b64encode(self.credential.encode()).decode()
            if request.headers.get("authorization") != expected:
                return PlainTextResponse("Unauthorized", status_code=401)
        if not self.connected:
            return _gowa(401, "AUTHENTICATION_ERROR", "you are not logged in")
        return None

    def _recipient(self, phone: str) -> str | Response:
        phone = phone.strip().removeprefix("+")
        if not phone:
            return _gowa(400, "VALIDATION_ERROR", "phone: cannot be blank.")
        if phone.startswith("0"):
            return _gowa(400, "VALIDATION_ERROR", "phone number must be in international format")
        if "@" not in phone:
            phone += "@s.whatsapp.net" if len(phone) <= 15 else "@g.us"
        user, _, server = phone.partition("@")
        user = user.split(":")[0]
        if server == "lid":
            known = self.lid_phones.get(user)
            return f"{known}@s.whatsapp.net" if known else f"{user}@lid"
        if server == "s.whatsapp.net" and user not in self.on_whatsapp:
            return _gowa(400, "INVALID_JID", f"Phone {phone} is not on whatsapp")
        if server == "g.us":  # whatsmeow cannot find a group by those digits
            return _gowa(500, "INTERNAL_SERVER_ERROR", "failed to get group info: item-not-found")
        return f"{user}@{server}"

    def _sent(self, to: str, text: str, image: bytes = b"") -> Response:
        self.delivered.append(Delivered(to, text, image))
        status = f"Message sent to {to} (server timestamp: {time.time():.0f})"
        results = {"message_id": message_id(), "status": status}
        return JSONResponse({"code": "SUCCESS", "message": status, "results": results})

    async def send_message(self, request: Request) -> Response:
        if (refused := self._refusal(request)) is not None:
            return refused
        body = await request.json()
        to = self._recipient(str(body.get("phone") or ""))
        if isinstance(to, Response):
            return to
        if not body.get("message"):
            return _gowa(400, "VALIDATION_ERROR", "message: cannot be blank.")
        return self._sent(to, body["message"])

    async def send_image(self, request: Request) -> Response:
        if (refused := self._refusal(request)) is not None:
            return refused
        fields, files = _form(request.headers.get("content-type", ""), await request.body())
        to = self._recipient(fields.get("phone", ""))
        if isinstance(to, Response):
            return to
        image = files.get("image")
        if image is None and not fields.get("image_url"):
            return _gowa(400, "VALIDATION_ERROR", "either Image or ImageURL must be provided")
        if image is not None:
            content_type, data = image
            if content_type not in ("image/jpeg", "image/jpg", "image/png"):
                return _gowa(
                    400, "VALIDATION_ERROR", "your image is not allowed. please use jpg/jpeg/png"
                )
        else:
            data = await download(fields["image_url"]) or b""
        return self._sent(to, fields.get("caption", ""), data)


def _form(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """A multipart/form-data body: its fields, and its files as (content type, bytes)."""
    message = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=email.policy.HTTP
    )
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[str(name)] = (part.get_content_type(), data)
        else:
            fields[str(name)] = data.decode()
    return fields, files


def _gowa(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


class FakeWaha(FakeGateway):
    """devlikeapro/waha: src/api/chatting.controller.ts (POST /api/sendText, /api/sendImage,
    201 with the message), src/structures/chatting.dto.ts (session, chatId, text; file with
    mimetype, filename and url or data), src/core/utils/jids.ts toJID (`<n>@c.us` is the phone
    `<n>@s.whatsapp.net`; `<id>@lid` is kept as it is), src/core/auth (X-Api-Key; NestJS's
    401), the engines' getFileBuffer (422 without file.url or file.data)."""

    session: str = "default"

    def routes(self) -> list[Route]:
        return [
            Route("/api/sendText", self.send_text, methods=["POST"]),
            Route("/api/sendImage", self.send_image, methods=["POST"]),
        ]

    def _refusal(self, request: Request, body: dict) -> Response | None:
        if self.credential and request.headers.get("x-api-key") != self.credential:
            return JSONResponse({"message": "Unauthorized", "statusCode": 401}, status_code=401)
        if body.get("session", "default") != self.session:
            message = f"We didn't find a session with name '{body.get('session')}'"
            return JSONResponse({"statusCode": 404, "message": message}, status_code=404)
        if not body.get("chatId"):
            return JSONResponse(
                {
                    "statusCode": 400,
                    "message": ["chatId should not be empty"],
                    "error": "Bad Request",
                },
                status_code=400,
            )
        return None

    @staticmethod
    def _jid(chat_id: str) -> str:
        if chat_id.endswith(("@g.us", "@lid", "@newsletter", "@broadcast")):
            return chat_id
        return chat_id.split("@")[0] + "@s.whatsapp.net"

    def _sent(self, chat_id: str, text: str, image: bytes = b"") -> Response:
        to = self._jid(chat_id)
        self.delivered.append(Delivered(to, text, image))
        answer = {
            "id": f"true_{chat_id}_{message_id()}",
            "timestamp": int(time.time()),
            "fromMe": True,
            "to": chat_id,
            "body": text,
            "hasMedia": bool(image),
        }
        return JSONResponse(answer, status_code=201)

    async def send_text(self, request: Request) -> Response:
        body = await request.json()
        if (refused := self._refusal(request, body)) is not None:
            return refused
        return self._sent(body["chatId"], str(body.get("text") or ""))

    async def send_image(self, request: Request) -> Response:
        body = await request.json()
        if (refused := self._refusal(request, body)) is not None:
            return refused
        file = body.get("file") or {}
        if file.get("url"):
            data = await download(file["url"]) or b""
        elif file.get("data"):
            data = base64.b64decode(file["data"])
        else:
            return JSONResponse(
                {
                    "statusCode": 422,
                    "message": 'Either "file.url" or "file.data" must be specified.',
                    "error": "Unprocessable Entity",
                },
                status_code=422,
            )
        return self._sent(body["chatId"], str(body.get("caption") or ""), data)


class FakeEvolution(FakeGateway):
    """EvolutionAPI/evolution-api 2.3.6: src/api/guards/auth.guard.ts (apikey header),
    src/utils/createJid.ts (`@lid`, `@s.whatsapp.net` and `@g.us` kept; bare digits become
    `<digits>@s.whatsapp.net`, or a group from 18 digits), whatsapp.baileys.service.ts
    whatsappNumber (an @lid counts as on WhatsApp; a phone is asked: not on WhatsApp is 400
    with `exists: false`) and sendMessageWithTyping, src/api/controllers/sendMessage.controller.ts
    (media must be a URL or base64), src/exceptions (the error bodies), src/main.ts."""

    instance: str = "showroom-01"

    def routes(self) -> list[Route]:
        return [
            Route("/message/sendText/{instance}", self.send_text, methods=["POST"]),
            Route("/message/sendMedia/{instance}", self.send_media, methods=["POST"]),
        ]

    def _refusal(self, request: Request) -> Response | None:
        if self.credential and request.headers.get("apikey") != self.credential:
            return _evolution(401, "Unauthorized", "Unauthorized")
        if request.path_params["instance"] != self.instance:
            message = [f'The "{request.path_params["instance"]}" instance does not exist']
            return _evolution(404, "Not Found", message)
        return None

    def _recipient(self, number: str) -> str | Response:
        number = re.sub(r":\d+", "", number)
        if not any(s in number for s in ("@g.us", "@s.whatsapp.net", "@lid")):
            digits = re.sub(r"\D", "", number.split("@")[0])
            number = f"{digits}@g.us" if len(digits) >= 18 else f"{digits}@s.whatsapp.net"
        user = number.split("@")[0]
        if number.endswith("@s.whatsapp.net") and user not in self.on_whatsapp:
            return _evolution(
                400, "Bad Request", [{"jid": number, "exists": False, "number": user}]
            )
        return number

    def _sent(self, jid: str, text: str, kind: str, image: bytes = b"") -> Response:
        self.delivered.append(Delivered(jid, text, image))
        answer = {
            "key": {"remoteJid": jid, "fromMe": True, "id": message_id()},
            "pushName": "",
            "status": "PENDING",
            "message": {"conversation": text} if kind == "conversation" else {kind: {}},
            "messageType": kind,
            "messageTimestamp": int(time.time()),
            "instanceId": "6f6f2a52-6b1c-4d6e-9a3e-2f1f4f1e0c01",
            "source": "unknown",
        }
        return JSONResponse(answer, status_code=201)

    async def send_text(self, request: Request) -> Response:
        if (refused := self._refusal(request)) is not None:
            return refused
        body = await request.json()
        jid = self._recipient(str(body.get("number") or ""))
        if isinstance(jid, Response):
            return jid
        return self._sent(jid, str(body.get("text") or ""), "conversation")

    async def send_media(self, request: Request) -> Response:
        if (refused := self._refusal(request)) is not None:
            return refused
        body = await request.json()
        media = str(body.get("media") or "")
        if media.startswith(("http://", "https://")):
            data = await download(media) or b""
        else:
            try:
                data = base64.b64decode(media, validate=True)
            except (binascii.Error, ValueError):
                data = b""
            if not data:
                return _evolution(400, "Bad Request", ["Owned media must be a url or base64"])
        jid = self._recipient(str(body.get("number") or ""))
        if isinstance(jid, Response):
            return jid
        return self._sent(jid, str(body.get("caption") or ""), "imageMessage", data)


def _evolution(status: int, error: str, message: object) -> JSONResponse:
    body = {"status": status, "error": error, "response": {"message": message}}
    return JSONResponse(body, status_code=status)


class FakeCloudApi(FakeGateway):
    """Meta's Graph API, from its documentation (business-messaging/whatsapp: messages,
    media, error codes): POST /<version>/<phone number id>/messages with a bearer token; `to`
    is a phone number; an image by `link` is downloaded by Meta (here at once: Meta reports a
    failed download later, as error 131053)."""

    phone_number_id: str = "106540352242922"

    def routes(self) -> list[Route]:
        return [Route("/{version}/{phone_id}/messages", self.messages, methods=["POST"])]

    async def messages(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.credential}":
            return _meta(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if request.path_params["phone_id"] != self.phone_number_id:
            return _meta(400, 100, "Unsupported post request. Object does not exist")
        body = await request.json()
        to = str(body.get("to") or "")
        if not to.isdigit():
            return _meta(400, 100, "(#100) Invalid parameter")
        if body.get("type") == "image":
            image = body.get("image") or {}
            data = await download(str(image.get("link") or ""))
            if data is None:
                return _meta(400, 131053, "Media upload error")
            self.delivered.append(Delivered(to, str(image.get("caption") or ""), data))
        else:
            self.delivered.append(Delivered(to, str((body.get("text") or {}).get("body") or "")))
        wamid = "wamid.HBgN" + secrets.token_hex(12).upper()
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid}],
            }
        )


def _meta(status: int, code: int, message: str) -> JSONResponse:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC1"}
    return JSONResponse({"error": error}, status_code=status)
