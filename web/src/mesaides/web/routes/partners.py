"""What partners do for themselves on the web (issue 17): the JSON API their CI calls with a
token (:mod:`.partner_api`) and the portal page where their referents manage those tokens
(:mod:`.partner_tokens`). The application includes this one router."""

from fastapi import APIRouter

from mesaides.web.routes import partner_api, partner_tokens

router = APIRouter()
router.include_router(partner_api.router)
router.include_router(partner_tokens.router)
