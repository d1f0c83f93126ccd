"""Electronic licences (电子证照): issued on approval, signed, verifiable by anyone, reused."""
