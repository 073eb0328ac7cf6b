import { openWidget } from './widget';

export default function App({ user }) {
  return (
    <div>
      <h1>Tally</h1>
      <p>Connect your bank to import movements automatically.</p>
      <button onClick={() => openWidget(user)}>Connect bank</button>
    </div>
  );
}
