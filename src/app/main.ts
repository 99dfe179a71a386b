/** The page's entry: registers `<mc-app>`. */
import './mc-app';
