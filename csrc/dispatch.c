/* The one place that knows which instruction-set paths exist and which one runs. */
#include <stdatomic.h>
#include <string.h>

#include "sx_internal.h"

extern const sx_isa_table sx_table_baseline;
#if defined(__x86_64__) && defined(__GNUC__)
extern const sx_isa_table sx_table_avx2;
extern const sx_isa_table sx_table_avx512;
extern const sx_isa_table sx_stream_table_avx2;
extern const sx_isa_table sx_stream_table_avx512;
#endif

typedef struct {
    const sx_isa_table *table;
    int (*supported)(void);
    const sx_isa_table *stream;     /* streaming-store twins (NULL: none) */
} sx_isa_entry;

static int sx_always(void) { return 1; }

#if defined(__x86_64__) && defined(__GNUC__)
/* __builtin_cpu_supports also checks that the OS saves the wide registers (XCR0). */
static int sx_has_v3(void) { __builtin_cpu_init(); return __builtin_cpu_supports("x86-64-v3") != 0; }
static int sx_has_v4(void) { __builtin_cpu_init(); return __builtin_cpu_supports("x86-64-v4") != 0; }
#endif

/* Best last: "auto" takes the last supported entry. */
static const sx_isa_entry sx_isas[] = {
    {&sx_table_baseline, sx_always, NULL},
#if defined(__x86_64__) && defined(__GNUC__)
    {&sx_table_avx2, sx_has_v3, &sx_stream_table_avx2},
    {&sx_table_avx512, sx_has_v4, &sx_stream_table_avx512},
#endif
};
#define SX_NISAS ((int)(sizeof sx_isas / sizeof sx_isas[0]))

static _Atomic(const sx_isa_table *) sx_active;

int sx_isa_count(void) { return SX_NISAS; }

const char *sx_isa_name(int index)
{
    return index >= 0 && index < SX_NISAS ? sx_isas[index].table->name : NULL;
}

int sx_isa_supported(int index)
{
    return index >= 0 && index < SX_NISAS ? sx_isas[index].supported() : 0;
}

int sx_isa_select(const char *name)
{
    if (name == NULL || strcmp(name, "auto") == 0) {
        for (int i = SX_NISAS - 1; i >= 0; i--)
            if (sx_isas[i].supported()) {
                atomic_store(&sx_active, sx_isas[i].table);
                return 0;
            }
        return -2;
    }
    for (int i = 0; i < SX_NISAS; i++)
        if (strcmp(name, sx_isas[i].table->name) == 0) {
            if (!sx_isas[i].supported())
                return -2;
            atomic_store(&sx_active, sx_isas[i].table);
            return 0;
        }
    return -1;
}

const sx_isa_table *sx_active_table(void)
{
    const sx_isa_table *t = atomic_load_explicit(&sx_active, memory_order_acquire);
    if (t == NULL) {
        sx_isa_select("auto");
        t = atomic_load(&sx_active);
    }
    return t;
}

const sx_isa_table *sx_stream_table(const sx_isa_table *active)
{
    for (int i = 0; i < SX_NISAS; i++)
        if (sx_isas[i].table == active)
            return sx_isas[i].stream;
    return NULL;
}

const char *sx_isa_active(void) { return sx_active_table()->name; }
