pub mod cometbft_server;
