import { blocks } from './blocks.js';

blocks('b');
