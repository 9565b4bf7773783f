-- The provider a user last picked in the desk app's provider switcher (PATCH /auth/me/last-selected-provider).
ALTER TABLE users ADD COLUMN last_selected_provider_id text;
