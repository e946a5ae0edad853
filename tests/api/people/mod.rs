//! Remainders of the people lifecycle (issue 9): unlinking a landlord, staff told when
//! someone moves out, joining another building from the browser.

mod joining;
mod landing;
mod landlords;
mod moving_out;
mod multi_lot;
mod neighbours;
