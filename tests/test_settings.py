"""Settings: development conveniences that production refuses, and the development key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from pixelflow.runtime.settings import PixelflowSettings
from svc_auth.keys import DEV_KEY_FILENAME, SigningKey, load_signing_key
from svc_auth.settings import AuthSettings
from svc_images.settings import ImagesSettings
from svc_worker.settings import WorkerSettings


def test_production_refuses_a_generated_signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXELFLOW_ENV", "production")
    with pytest.raises(ValidationError, match="PIXELFLOW_AUTH_PRIVATE_KEY"):
        AuthSettings()


def test_production_takes_a_configured_key(monkeypatch: pytest.MonkeyPatch) -> None:
    key = SigningKey.generate()
    monkeypatch.setenv("PIXELFLOW_ENV", "production")
    monkeypatch.setenv("PIXELFLOW_AUTH_PRIVATE_KEY", key.pem().decode())
    with pytest.raises(ValidationError, match="PIXELFLOW_AUTH_INTERNAL_TOKEN"):
        AuthSettings()  # the credential svc_auth presents to svc_images when an account is deleted
    monkeypatch.setenv("PIXELFLOW_AUTH_INTERNAL_TOKEN", "a-real-secret")
    settings = AuthSettings()
    assert settings.is_production
    assert load_signing_key(settings).kid == key.kid


@pytest.mark.parametrize(("settings_class", "prefix"), [(ImagesSettings, "IMAGES"), (WorkerSettings, "WORKER")])
def test_the_shared_processing_settings_keep_each_service_prefix(
    settings_class: type[PixelflowSettings], prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"PIXELFLOW_{prefix}_MAX_PIXELS", "1234")
    assert settings_class().model_dump()["max_pixels"] == 1234
    monkeypatch.setenv("PIXELFLOW_ENV", "production")
    with pytest.raises(ValidationError, match=f"PIXELFLOW_{prefix}_INTERNAL_TOKEN"):
        settings_class()


def test_environment_variables_use_the_service_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXELFLOW_AUTH_PORT", "50999")
    monkeypatch.setenv("PIXELFLOW_AUTH_ACCESS_TOKEN_TTL_SECONDS", "120")
    settings = AuthSettings()
    assert (settings.port, settings.access_token_ttl_seconds) == (50999, 120)


def test_development_generates_a_private_key_once(tmp_path: Path) -> None:
    settings = AuthSettings(data_dir=tmp_path / "auth")
    first = load_signing_key(settings)
    path = tmp_path / "auth" / DEV_KEY_FILENAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_signing_key(settings).kid == first.kid
