//! Gold files and scoring. (Placeholder.)
