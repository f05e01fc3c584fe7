//! Reporters: small renderers over findings. (Interface placeholder.)
