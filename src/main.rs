fn main() {
    #[cfg(target_arch = "wasm32")]
    regional_console::run();
}
