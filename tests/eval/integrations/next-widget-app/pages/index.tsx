import ConnectBank from '../components/ConnectBank';

export default function Home() {
  const userId = typeof window !== 'undefined' ? localStorage.getItem('uid') ?? 'anon' : 'anon';
  return (
    <main>
      <h1>Pocket</h1>
      <ConnectBank userId={userId} />
    </main>
  );
}
