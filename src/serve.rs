//! The pre-publish HTTP service. (Placeholder.)
