# Sourced by the other scripts: the tool paths trunk needs, and no version-check downloads.
export PATH="$(pwd)/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
