"""config.toml loading: defaults, refusals with one clear line, secrets from the environment."""

from pathlib import Path

import pytest

from showroom.config import Settings, describe_keys, load_settings
from showroom.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


STRONG = 'webhook_secret = "Xk3-vP9q_Lm2RzT8wYb5nQ"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_the_shipped_config_toml_loads_and_equals_the_built_in_defaults():
    assert load_settings(ROOT / "config.toml") == Settings()


def test_no_file_means_the_built_in_defaults():
    assert load_settings(None) == Settings()


def test_values_are_typed_and_frozen(tmp_path):
    settings = load_settings(write(tmp_path, "[server]\nport = 9000\n[shutdown]\ngrace_s = 3\n"))
    assert settings.server.port == 9000
    assert settings.shutdown.grace_s == 3.0 and isinstance(settings.shutdown.grace_s, float)
    with pytest.raises(AttributeError):
        settings.server.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[server]\nprot = 80\n", "unknown key 'server.prot' (in [server]: host, port, max_conn"),
        (
            "[sever]\nport = 80\n",
            "unknown key 'sever' (in the top level: server, database, media, log, shutdown, "
            "outbox, downloads, inbox, conversation, buyers, copywriter, tenants)",
        ),
        ('[server]\nport = "80"\n', "'server.port' must be a whole number, not '80'"),
        ("[server]\nport = true\n", "'server.port' must be a whole number, not True"),
        (
            "[server]\nport = 70000\n",
            "'server.port' is 70000; allowed: at least 0 and at most 65535",
        ),
        ('[log]\nlevel = "loud"\n', "'log.level' is 'loud'; allowed: debug, info, warning, error"),
        ("server = 1\n", "'server' must be a table [server]"),
        ("[server\n", "not valid TOML"),
    ],
)
def test_bad_configuration_is_refused_with_one_line_naming_file_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as refused:
        load_settings(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_tenants_are_named_tables_with_their_gateway(tmp_path):
    path = write(
        tmp_path,
        """
[tenants.surabaya-motor]
name = "Surabaya Motor"
[tenants.surabaya-motor.gateway]
kind = "gowa"
webhook_secret = "env:GOWA_SECRET"
[tenants.jakarta-auto]
language = "en"
""",
    )
    settings = load_settings(path, {"GOWA_SECRET": "Vb2kP9-surabaya-gowa-secret"})
    assert list(settings.tenants) == ["surabaya-motor", "jakarta-auto"]
    surabaya = settings.tenants["surabaya-motor"]
    assert (surabaya.name, surabaya.gateway.kind, surabaya.gateway.webhook_secret) == (
        "Surabaya Motor",
        "gowa",
        "Vb2kP9-surabaya-gowa-secret",
    )
    assert settings.tenants["jakarta-auto"].gateway.kind == "simulator"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[tenants.Bad_Name]\n", "'tenants.Bad_Name': a name is lowercase letters"),
        (
            '[tenants.demo.gateway]\nkind = "telegram"\n',
            "'tenants.demo.gateway.kind' is 'telegram'",
        ),
        ('[tenants.demo]\nnmae = "x"\n', "unknown key 'tenants.demo.nmae'"),
        ("tenants = {}\n", "'tenants' must hold at least one table"),
    ],
)
def test_bad_tenants_are_refused(tmp_path, text, expected):
    with pytest.raises(ConfigError) as refused:
        load_settings(write(tmp_path, text))
    assert expected in str(refused.value)


def test_a_missing_file_is_refused_clearly(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path / "nope.toml")


def test_relative_paths_are_taken_from_the_config_files_folder(tmp_path):
    (tmp_path / "etc").mkdir()
    path = tmp_path / "etc" / "config.toml"
    path.write_text('[database]\npath = "../var/showroom.db"\n[media]\ndir = "/srv/media"\n')
    settings = load_settings(path)
    assert settings.resolve(settings.database.path) == tmp_path / "var" / "showroom.db"
    assert settings.resolve(settings.media.dir) == Path("/srv/media")


def test_values_can_come_from_the_environment(tmp_path):
    path = write(tmp_path, '[server]\nhost = "env:BIND_HOST"\nport = "env:BIND_PORT"\n')
    settings = load_settings(path, {"BIND_HOST": "0.0.0.0", "BIND_PORT": "8443"})
    assert (settings.server.host, settings.server.port) == ("0.0.0.0", 8443)


def test_a_missing_environment_variable_is_refused(tmp_path):
    path = write(tmp_path, '[server]\nhost = "env:BIND_HOST"\n')
    with pytest.raises(ConfigError, match="'server.host' reads environment variable BIND_HOST"):
        load_settings(path, {})


def test_every_key_is_in_the_shipped_config_toml_and_the_readme():
    shipped = (ROOT / "config.toml").read_text()
    readme = (ROOT / "README.md").read_text()
    for key, _default, _help in describe_keys():
        section, name = key.replace("<name>", "demo").rsplit(".", 1)
        assert f"[{section}]" in shipped and f"\n{name} = " in shipped, key
        assert f"`{key}`" in readme, f"README does not document {key}"


def test_path_auth_is_opt_in_per_tenant_and_refused_where_the_gateway_signs(tmp_path):
    path = write(
        tmp_path,
        f'[tenants.demo.gateway]\nkind = "waha"\nwebhook_auth = "path"\n{STRONG}'
        f'[tenants.other.gateway]\nkind = "waha"\n{STRONG}',
    )
    settings = load_settings(path)
    assert settings.tenants["demo"].gateway.webhook_auth == "path"
    assert settings.tenants["other"].gateway.webhook_auth == "gateway"
    for text, expected in [
        (f'[tenants.demo.gateway]\nwebhook_auth = "url"\n{STRONG}', "allowed: gateway, path"),
        (
            f'[tenants.demo.gateway]\nkind = "cloudapi"\nwebhook_auth = "path"\n{STRONG}',
            "cloudapi always signs",
        ),
    ]:
        with pytest.raises(ConfigError) as refused:
            load_settings(write(tmp_path, text))
        assert expected in str(refused.value) and "tenants.demo.gateway.webhook_auth" in str(
            refused.value
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('media_url = "showroom:8000"\n', "an http:// or https:// address"),
        ('kind = "cloudapi"\nmedia_url = "http://10.0.0.5:8000"\n', "must be https://"),
    ],
)
def test_the_media_url_must_be_an_address_the_gateway_can_download_from(tmp_path, text, expected):
    with pytest.raises(ConfigError, match=expected):
        load_settings(write(tmp_path, "[tenants.demo.gateway]\n" + text))
    ok = write(tmp_path, '[tenants.demo.gateway]\nmedia_url = "http://showroom:8000"\n')
    assert load_settings(ok).tenants["demo"].gateway.media_url == "http://showroom:8000"


def test_a_weak_secret_from_the_environment_is_refused_without_showing_it(tmp_path):
    path = write(
        tmp_path, '[tenants.demo.gateway]\nkind = "waha"\nwebhook_secret = "env:WAHA_SECRET"\n'
    )
    with pytest.raises(ConfigError) as refused:
        load_settings(path, {"WAHA_SECRET": "secretsecretsecret"})
    assert "'tenants.demo.gateway.webhook_secret' is too predictable" in str(refused.value)
    assert "secretsecretsecret" not in str(refused.value)


def test_the_simulator_may_leave_its_secret_empty(tmp_path):
    settings = load_settings(write(tmp_path, '[tenants.demo.gateway]\nkind = "simulator"\n'))
    assert settings.tenants["demo"].gateway.webhook_secret == ""


@pytest.mark.parametrize(
    "text",
    [
        (  # port 0: any free port, for each
            '[tenants.a.gateway]\nbase_url = "http://127.0.0.1:0"\n'
            '[tenants.b.gateway]\nbase_url = "http://127.0.0.1:0"\n'
        ),
        (  # the same port on two addresses
            '[server]\nport = 9001\n[tenants.a.gateway]\nbase_url = "http://127.0.0.2:9001"\n'
        ),
    ],
)
def test_listeners_that_can_all_bind_are_taken(tmp_path, text):
    assert load_settings(write(tmp_path, text)).tenants


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # the catalog is chosen by host name alone: the port and the case do not part them
            '[tenants.a]\npublic_url = "https://Same.test"\n'
            '[tenants.a.gateway]\nbase_url = "http://127.0.0.1:8081"\n'
            '[tenants.b]\npublic_url = "https://same.test:8443/"\n'
            '[tenants.b.gateway]\nbase_url = "http://127.0.0.1:8082"\n',
            "'tenants.b.public_url' and 'tenants.a.public_url' have the same host 'same.test'",
        ),
        (  # two simulators left at the default port
            "[tenants.a]\n[tenants.b]\n",
            "'tenants.b.gateway.base_url' and 'tenants.a.gateway.base_url' use the same port 8080",
        ),
        (
            '[server]\nport = 8081\n[tenants.a.gateway]\nbase_url = "http://127.0.0.1:8081"\n',
            "'tenants.a.gateway.base_url' and 'server.port' use the same port 8081",
        ),
    ],
)
def test_two_dealers_cannot_share_a_catalog_host_nor_two_listeners_a_port(tmp_path, text, expected):
    with pytest.raises(ConfigError) as refused:
        load_settings(write(tmp_path, text))
    assert expected in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://showroom:s3cret-Passw0rd@db.internal:5432/showroom",
        "postgres://showroom@localhost/showroom",
        "postgresql://showroom@/showroom?host=/run/postgresql",
    ],
)
def test_a_postgresql_url_is_taken(tmp_path, url):
    settings = load_settings(write(tmp_path, f'[database]\nurl = "{url}"\n'))
    assert settings.database.url == url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///data/showroom.db", "must be empty (SQLite at database.path) or a PostgreSQL"),
        ("mysql://root:hunter2hunter2@db/showroom", "must be empty (SQLite at database.path)"),
        ("postgresql://showroom:hunter2hunter2@db:54x2/showroom", "is not a database address"),
        ("postgresql://showroom:hunter2hunter2@db:5432", "must name the database after the host"),
        ("postgresql://showroom@db:5432/a/b", "must name the database after the host"),
    ],
)
def test_a_database_url_that_is_not_postgresql_is_refused_without_its_password(
    tmp_path, url, expected
):
    path = write(tmp_path, f'[database]\nurl = "{url}"\n')
    with pytest.raises(ConfigError) as refused:
        load_settings(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: 'database.url' ") and expected in message
    assert "hunter2" not in message and "\n" not in message


def test_the_database_urls_password_is_a_secret_kept_out_of_the_logs(tmp_path):
    path = write(tmp_path, '[database]\nurl = "env:DATABASE_URL"\n')
    settings = load_settings(path, {"DATABASE_URL": "postgresql://bot:Tr0ub4dor-3@db/showroom"})
    assert settings.database.url == "postgresql://bot:Tr0ub4dor-3@db/showroom"
    assert "Tr0ub4dor-3" in settings.secrets()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://bot:Hunter2-Secret@db/showroom",
        "postgresql://bot@db/showroom?password=Hunter2-Secret&sslmode=require",
    ],
)
def test_a_database_password_is_a_secret_wherever_the_url_holds_it(tmp_path, url):
    from storage.database import safe_url

    settings = load_settings(write(tmp_path, f'[database]\nurl = "{url}"\n'))
    assert "Hunter2-Secret" in settings.secrets()
    assert "Hunter2-Secret" not in safe_url(url) and "bot@db/showroom" in safe_url(url)
