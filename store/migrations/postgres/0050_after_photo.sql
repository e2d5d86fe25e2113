-- A category may require a photo of the result when handling is reported
-- (处置后照片): issue 15, field work.
ALTER TABLE categories ADD COLUMN after_photo BOOLEAN NOT NULL DEFAULT FALSE;
