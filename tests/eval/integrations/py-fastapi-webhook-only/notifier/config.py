from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    belvo_base_url: str
    belvo_secret_id: str
    belvo_secret_password: str
    belvo_webhook_secret: str
    slack_webhook_url: str


settings = Settings()
