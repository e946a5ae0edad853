-- Agency settings (issue: onboarding). The language of what the agency sends outside
-- Palier's pages (provider e-mails and work-order PDFs, the on-call e-mail, the hall poster,
-- seeded reply templates); the on-call phone beside the on-call e-mail; the first-answer
-- target the dashboards measure against.
ALTER TABLE agencies ADD COLUMN lang TEXT NOT NULL DEFAULT 'fr';
ALTER TABLE agencies ADD COLUMN on_call_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN answer_target_hours INTEGER NOT NULL DEFAULT 48;
