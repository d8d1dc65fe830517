import { createRoot } from 'react-dom/client';
import { App } from './components/App.js';
import './styles/base.css';
import './styles/layout.css';
import './styles/chat.css';
import './styles/panels.css';
import './styles/auth.css';

const root = document.getElementById('root');
if (root) createRoot(root).render(<App />);
