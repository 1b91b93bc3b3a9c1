//! Client library for Mostro: keys, trade index, sessions, chat.
