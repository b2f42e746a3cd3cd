"""The partner portal, under ``/espace/``: a partner's space (:mod:`.partner`) and the
operator's (:mod:`.operator`), French pages on the site's templates. Every route takes the
signed-in account (``CurrentActor``) and acts through the registry's facade, which authorizes it."""

from __future__ import annotations

from fastapi import APIRouter

from mesaides.web.routes.portal import landing, operator, partner

router = APIRouter()
router.include_router(landing.router)
router.include_router(partner.router)
router.include_router(operator.router)
