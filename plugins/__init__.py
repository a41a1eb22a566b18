"""In-repo plugins of nastavnik; each is registered in setup.cfg like any third-party plugin."""
