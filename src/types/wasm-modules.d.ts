// The WASM ports ship no typings; each user narrows the factory result to what it uses.
declare module '@alexaltea/capstone-js' {
  const factory: () => Promise<unknown>;
  export default factory;
}
declare module '@alexaltea/keystone-js' {
  const factory: () => Promise<unknown>;
  export default factory;
}
