import addon from "./addon";
export { addon };
export * from "./addon";
