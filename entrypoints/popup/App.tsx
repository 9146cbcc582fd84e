/** Toolbar popup: what Tend knows about the current site and about me. */
export function App() {
  return <main><h1>Tend</h1></main>;
}
