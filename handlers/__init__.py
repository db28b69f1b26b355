"""aiogram routers, one module per audience or feature. Thin: no SQL, texts via gettext."""
