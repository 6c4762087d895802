// Sandboxed preload: exposes window.api built from the contract.
export {};
