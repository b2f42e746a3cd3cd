"""``mesaides partner new``: a new partner distribution that passes its own tests out of the box."""
