-- Further standard claims of a user (OpenID Connect Core 5.1: middle_name, nickname, website,
-- locale, phone_number, address …) as one JSON object: what the profile, phone and address scopes
-- release beyond the columns of their own.
ALTER TABLE users ADD COLUMN claims MEDIUMTEXT;
