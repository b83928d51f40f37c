// Test-only EIP-1193 provider: forwards every request to anvil, whose dev accounts are unlocked, so
// eth_sendTransaction is signed by anvil. The page under test sees an ordinary injected wallet.
(() => {
  const RPC = "__RPC_URL__";
  const ACCOUNT = "__ACCOUNT__";
  // Test knobs: {"chainId": "0x1"} pretends to be on another chain; {"reject": true} refuses to sign (4001).
  // A test may flip them mid-flow through window.ethereum.testOptions (say, reject only the second signature).
  const OPTIONS = __OPTIONS__;
  const listeners = {};
  let id = 0;
  async function rpc(method, params) {
    const response = await fetch(RPC, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params || [] }),
    });
    const body = await response.json();
    if (body.error) {
      const error = new Error(body.error.message);
      error.code = body.error.code;
      error.data = body.error.data;
      throw error;
    }
    return body.result;
  }
  window.ethereum = {
    isGenIPTestWallet: true,
    testOptions: OPTIONS,
    async request({ method, params }) {
      if (method === "eth_requestAccounts" || method === "eth_accounts") return [ACCOUNT];
      if (method === "wallet_switchEthereumChain") return null;
      if (method === "eth_signTypedData_v4" && window.genipTestSign) {
        const signed = await window.genipTestSign(params[0], params[1]); // a fresh, impersonated account's key
        if (signed) return signed;
      }
      if (method === "eth_chainId" && OPTIONS.chainId) return OPTIONS.chainId;
      if (method === "eth_sendTransaction" && OPTIONS.reject) {
        const error = new Error("User rejected the request.");
        error.code = 4001;
        throw error;
      }
      return rpc(method, params);
    },
    on(event, listener) {
      (listeners[event] ||= []).push(listener);
    },
    removeListener(event, listener) {
      listeners[event] = (listeners[event] || []).filter((l) => l !== listener);
    },
  };
})();
