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
static inline attr_t tb_a_normal(void) { return A_NORMAL; }

// Mouse masks (built from function-like macros, which do not import).
static inline mmask_t tb_mouse_mask_all(void) { return ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION; }
static inline mmask_t tb_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t tb_button1_released(void) { return BUTTON1_RELEASED; }
static inline mmask_t tb_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t tb_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t tb_button5_pressed(void) { return BUTTON5_PRESSED; }
static inline mmask_t tb_report_mouse_position(void) { return REPORT_MOUSE_POSITION; }
