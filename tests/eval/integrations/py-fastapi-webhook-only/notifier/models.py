from datetime import datetime
from typing import Optional

from pydantic import BaseModel, ConfigDict


class Webhook(BaseModel):
    webhook_id: str
    webhook_type: str
    webhook_code: str
    link_id: str
    request_id: Optional[str] = None
    external_id: Optional[str] = None
    data: dict = {}


class Transaction(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    amount: float
    currency: str
    description: Optional[str] = None
    type: str
    collected_at: datetime
