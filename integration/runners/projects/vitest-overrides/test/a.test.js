import { blocks } from './blocks.js';

blocks('a');
