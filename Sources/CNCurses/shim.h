#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncursesw/curses.h>

// Macros do not import into Swift; these wrap the ones the workbench uses.
static inline int tb_color_pair(int n) { return COLOR_PAIR(n); }
static inline int tb_key_f(int n) { return KEY_F(n); }
static inline attr_t tb_a_bold(void) { return A_BOLD; }
static inline attr_t tb_a_dim(void) { return A_DIM; }
static inline attr_t tb_a_reverse(void) { return A_REVERSE; }
static inline attr_t tb_a_underline(void) { return A_UNDERLINE; }
