-- The language of what the agency sends outside Palier's pages: provider e-mails and
-- work-order PDFs, the on-call e-mail, the hall poster, seeded reply templates.
ALTER TABLE agencies ADD COLUMN lang TEXT NOT NULL DEFAULT 'fr';
