/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the `recur` commands share: messages, option contexts, aligned printing, and `recur
 * train`'s options that make a run's configuration. */
#define G_LOG_DOMAIN "recur-app"
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "recur-command.h"
#include "recur-fileutil.h"
#include "recur-jsonutil.h"
#include "recur-settings.h"

/* ---- shared helpers ----------------------------------------------------------------------- */

int
recur_command_fail (GError *error)
{
  g_printerr ("recur: %s\n", error->message);
  g_error_free (error);
  return EXIT_FAILED;
}

/* path made absolute, its folder's links resolved (realpath), its own name kept */
static char *
canonical_path (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path), *base = g_path_get_basename (path);
  g_autofree char *real_dir = realpath (dir, NULL);

  if (real_dir == NULL)
    return g_canonicalize_filename (path, NULL);
  return g_build_filename (real_dir, base, NULL);
}

int
recur_command_usage_error (const char *message)
{
  g_printerr ("recur: %s\n", message);
  g_printerr (_("Run “%s --help” for the options.\n"), g_get_prgname ());
  return EXIT_USAGE;
}

/* The same file: one inode when both exist, else the same absolute path once the folder's
 * links are resolved (an output not written yet). */
static gboolean
same_file (const char *a,
           const char *b)
{
  GStatBuf sa, sb;
  g_autofree char *ca = NULL, *cb = NULL;

  if (g_stat (a, &sa) == 0 && g_stat (b, &sb) == 0)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  ca = canonical_path (a);
  cb = canonical_path (b);
  return g_strcmp0 (ca, cb) == 0;
}

gboolean
recur_command_check_outputs (const RecurCommandFile *inputs,
                             RecurCommandOutput     *outputs,
                             GError                **error)
{
  for (RecurCommandOutput *o = outputs; o->option; o++)
    {
      g_autofree char *given = NULL;
      char *resolved;

      if (*o->path == NULL)
        continue;
      if (**o->path == '\0')
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("%s: the file name is empty"), o->option);
          return FALSE;
        }
      resolved = recur_file_resolve_link (*o->path, error);
      if (resolved == NULL)
        return FALSE;
      given = g_steal_pointer (o->path);
      *o->path = resolved;
      /* refused now rather than after the training (recur_file_write_atomic refuses it too) */
      if (recur_file_kind (resolved) == RECUR_FILE_KIND_FOLDER
          || recur_file_kind (resolved) == RECUR_FILE_KIND_OTHER
          || recur_file_kind (resolved) == RECUR_FILE_KIND_LINK) /* into /proc */
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       recur_file_kind (resolved) == RECUR_FILE_KIND_FOLDER
                       ? _("%s: %s is a folder, not a file")
                       : _("%s: %s is not a regular file (a device, a FIFO or a socket)"),
                       o->option, given);
          return FALSE;
        }
      /* a folder that is not there: said now, not after the training */
      {
        g_autofree char *dir = g_path_get_dirname (resolved);

        if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _("%s: %s: there is no folder %s"), o->option, given, dir);
            return FALSE;
          }
      }
      for (const RecurCommandFile *i = inputs; i->option; i++)
        if (i->path && same_file (*o->path, i->path))
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _("%s would overwrite %s, %s"), o->option, i->option, i->path);
            return FALSE;
          }
      for (RecurCommandOutput *p = outputs; p < o; p++)
        if (*p->path && same_file (*o->path, *p->path))
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _("%s and %s name the same file, %s: one would overwrite the other"),
                         p->option, o->option, *o->path);
            return FALSE;
          }
    }
  return TRUE;
}

gboolean
recur_command_check_outside (const char  *option,
                             const char  *path,
                             const char  *folder,
                             GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *real_dir = realpath (dir, NULL);
  g_autofree char *real_folder = realpath (folder, NULL);
  gsize n = real_folder ? strlen (real_folder) : 0;

  if (real_dir && real_folder && strncmp (real_dir, real_folder, n) == 0
      && (real_dir[n] == '\0' || real_dir[n] == G_DIR_SEPARATOR))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s: %s is inside the project folder %s: write it elsewhere"), option, path,
                   folder);
      return FALSE;
    }
  return TRUE;
}

GOptionContext *
recur_command_new_context (const char *command,
                           const char *parameter,
                           const char *summary)
{
  GOptionContext *context = g_option_context_new (parameter);
  g_autofree char *prgname = g_strdup_printf ("recur %s", command);

  g_set_prgname (prgname);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  return context;
}

int
recur_command_text_width (const char *text)
{
  int width = 0;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  return width;
}

/* Pads to a width in terminal columns: CJK characters take two, so printf's byte-counting
 * %-20s would misalign translated row names. */
void
recur_command_print_padded (const char *text,
                            int         columns)
{
  g_print ("%s%*s", text, MAX (columns - recur_command_text_width (text), 0), "");
}

/* ---- a run's configuration as options ----------------------------------------------------- */

typedef struct _RecurTrainOptions TrainOptions;

void
recur_train_options_init (TrainOptions *o)
{
  guint n;

  recur_settings_list (&n);
  *o = (TrainOptions) {
    .texts = g_new0 (char *, n),
    .flags = g_new0 (gboolean, n),
    .alias_texts = g_new0 (char *, n),
    .strings = g_ptr_array_new_with_free_func (g_free),
    .entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry)),
  };
}

void
recur_train_options_clear (TrainOptions *o)
{
  guint n;

  recur_settings_list (&n);
  for (guint i = 0; o->texts && i < n; i++)
    {
      g_free (o->texts[i]);
      g_free (o->alias_texts[i]);
    }
  g_clear_pointer (&o->texts, g_free);
  g_clear_pointer (&o->alias_texts, g_free);
  g_clear_pointer (&o->flags, g_free);
  g_clear_pointer (&o->strings, g_ptr_array_unref);
  g_clear_pointer (&o->entries, g_array_unref);
  g_clear_pointer (&o->forecast_out, g_free);
  g_clear_pointer (&o->weights_out, g_free);
  g_clear_pointer (&o->summary_out, g_free);
  g_clear_pointer (&o->config, g_free);
}

static const char *
keep (TrainOptions *o,
      char         *text)
{
  g_ptr_array_add (o->strings, text);
  return text;
}

/* The one cell a mask of cells names, or -1 when it names none or several. */
static int
single_cell (guint cells)
{
  return cells != 0 && (cells & (cells - 1)) == 0 ? g_bit_nth_lsf (cells, -1) : -1;
}

/* "esn: " for a setting of one cell, so that --help shows where it applies. */
static char *
cells_prefix (const RecurSetting *s)
{
  int cell = single_cell (s->cells);

  return cell < 0 ? g_strdup ("") : g_strdup_printf ("%s: ", recur_cell_to_option (cell));
}

/* " [sgd, rmsprop]" for a setting of some optimisers or schedules only. */
static char *
kinds_suffix (const RecurSetting *s)
{
  const RecurSetting *optimizer = recur_settings_find ("optimizer");
  const RecurSetting *schedule = recur_settings_find ("schedule");
  GString *text = g_string_new (NULL);

  for (guint i = 0; s->optimizers && optimizer->choices[i]; i++)
    if (s->optimizers & (1u << i))
      g_string_append_printf (text, "%s%s", text->len ? ", " : " [", optimizer->choices[i]);
  for (guint i = 0; s->schedules && schedule->choices[i]; i++)
    if (s->schedules & (1u << i))
      g_string_append_printf (text, "%s%s", text->len ? ", " : " [", schedule->choices[i]);
  if (text->len)
    g_string_append (text, "]");
  return g_string_free (text, FALSE);
}

/* The option's help: the schema's description, where it applies, and the default (for a
 * choice, the values it takes too), never typed in by hand. */
static char *
option_help (const RecurSetting *s)
{
  g_autofree char *prefix = cells_prefix (s);
  g_autofree char *suffix = kinds_suffix (s);
  g_autofree char *fallback = NULL;
  g_autofree char *choices = NULL;

  if (s->kind == RECUR_SETTING_BOOL && (s->flags & RECUR_SETTING_NEGATED))
    return g_strdup_printf (_("%sTurn off “%s”, on by default: %s%s"), prefix, _(s->label),
                            _(s->description), suffix);
  if (s->kind == RECUR_SETTING_BOOL)
    return g_strdup_printf ("%s%s%s", prefix, _(s->description), suffix);
  fallback = recur_setting_format_default (s);
  if (s->kind == RECUR_SETTING_CHOICE && g_str_equal (s->name, "model"))
    {
      g_autofree char *cells = g_strjoinv (", ", (char **) s->choices);

      /* TRANSLATORS: --model's help: its description, the cells, "auto" and the defaults */
      return g_strdup_printf (_("%s (%s, or %s to choose by validation; default %s in "
                                "“recur train”, %s otherwise)"), _(s->description), cells,
                              RECUR_MODEL_AUTO, RECUR_MODEL_AUTO, fallback);
    }
  if (s->kind == RECUR_SETTING_CHOICE)
    {
      choices = g_strjoinv (", ", (char **) s->choices);
      /* TRANSLATORS: the option's help: its description, where it applies, the values it takes
       * and the default */
      return g_strdup_printf (_("%s%s%s (%s; default %s)"), prefix, _(s->description), suffix,
                              choices, fallback);
    }
  if (s->default_text)
    return g_strdup_printf (_("%s%s%s (default: %s)"), prefix, _(s->description), suffix,
                            fallback);
  return g_strdup_printf (_("%s%s%s (default %s)"), prefix, _(s->description), suffix, fallback);
}

/* The alias's help: "esn: reservoir units (default 100)", with its cell's default. */
static char *
alias_help (const RecurSetting *s)
{
  RecurJobConfig config;
  g_autofree char *value = NULL;

  recur_job_config_init (&config);
  if (single_cell (s->alias_cells) >= 0)
    recur_model_spec_init_for_cell (&config.model, single_cell (s->alias_cells));
  value = recur_setting_format_value (s, &config);
  recur_job_config_clear (&config);
  return g_strdup_printf (_("%s (default %s)"), _(s->alias_description), value);
}

static void
add_entry (TrainOptions *o,
           GOptionEntry  entry)
{
  g_array_append_val (o->entries, entry);
}

/* One option per setting (a BOOL is a flag; `--no-bias` turns one off), in the schema's
 * order: `recur sweep` takes them too, as its base. */
static void
add_config_entries (GOptionContext *context,
                    TrainOptions   *o)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  add_entry (o, (GOptionEntry) {
    "config", 0, 0, G_OPTION_ARG_FILENAME, &o->config,
    N_("Start from the settings of a configuration file, or of a summary that --json or "
       "--summary-out wrote; options given with it change them"), N_("FILE.json") });
  for (guint i = 0; i < n; i++)
    {
      const RecurSetting *s = &settings[i];
      gboolean flag = s->kind == RECUR_SETTING_BOOL;
      const char *name = s->name;

      if (s->flags & RECUR_SETTING_INTERNAL)
        continue;
      if (flag && (s->flags & RECUR_SETTING_NEGATED))
        name = keep (o, g_strdup_printf ("no-%s", s->name));
      add_entry (o, (GOptionEntry) {
        name, s->short_name, 0, flag ? G_OPTION_ARG_NONE : G_OPTION_ARG_STRING,
        flag ? (gpointer) &o->flags[i] : (gpointer) &o->texts[i],
        keep (o, option_help (s)), flag ? NULL : _(s->metavar) });
      if (s->alias)
        add_entry (o, (GOptionEntry) {
          s->alias, 0, 0, G_OPTION_ARG_STRING, &o->alias_texts[i],
          keep (o, alias_help (s)), _(s->metavar) });
    }
  g_option_context_add_main_entries (context, (GOptionEntry *) o->entries->data,
                                     GETTEXT_PACKAGE);
}

/* An option of one cell's only, given with another: a mistake worth saying. */
static gboolean
check_cell (const RecurSetting  *s,
            const char          *option,
            RecurCellKind        cell,
            guint                cells,
            GError             **error)
{
  int wanted = single_cell (cells);

  /* a setting of several cells: the job refuses what it cannot do */
  if (wanted < 0 || (cells & (1u << cell)))
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s applies to --model %s only"), option, recur_cell_to_option (wanted));
  return FALSE;
}

/* Whether --model auto was given: the command chooses the cell, so an option of one cell's is
 * no mistake. */
static gboolean
model_is_auto (const TrainOptions *o)
{
  const RecurSetting *model = recur_settings_find ("model");
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);
  const char *text = o->texts[model - settings];

  return text && g_str_equal (text, RECUR_MODEL_AUTO);
}

static gboolean
set_option (const TrainOptions  *o,
            const RecurSetting  *settings,
            guint                i,
            RecurJobConfig      *c,
            GError             **error)
{
  const RecurSetting *s = &settings[i];
  /* under auto, every cell is a candidate: each takes the options that apply to it */
  guint cells = model_is_auto (o) ? 0 : s->cells;
  guint alias_cells = model_is_auto (o) ? 0 : s->alias_cells;
  g_autofree char *option = g_strdup_printf ("--%s", s->name);
  g_autofree char *alias = s->alias ? g_strdup_printf ("--%s", s->alias) : NULL;

  if (s->kind == RECUR_SETTING_BOOL && o->flags[i])
    {
      const char *text = (s->flags & RECUR_SETTING_NEGATED) ? "false" : "true";

      if ((s->flags & RECUR_SETTING_NEGATED))
        {
          g_free (option);
          option = g_strdup_printf ("--no-%s", s->name);
        }
      return check_cell (s, option, c->model.cell, cells, error)
             && recur_setting_parse (s, text, option, c, error);
    }
  if (o->texts[i] && (!check_cell (s, option, c->model.cell, cells, error)
                      || !recur_setting_parse (s, o->texts[i], option, c, error)))
    return FALSE;
  if (o->alias_texts[i] && (!check_cell (s, alias, c->model.cell, alias_cells, error)
                            || !recur_setting_parse (s, o->alias_texts[i], alias, c, error)))
    return FALSE;
  return TRUE;
}

/* A setting's error, as a wrong command line. */
static gboolean
as_option_error (GError **error)
{
  if (error && *error && (*error)->domain != G_OPTION_ERROR)
    {
      GError *e = *error;

      *error = g_error_new_literal (G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, e->message);
      g_error_free (e);
    }
  return FALSE;
}

/* --config: a configuration object, or a summary holding one as "config". */
static gboolean
read_config_file (const char      *path,
                  RecurJobConfig  *c,
                  GError         **error)
{
  g_autoptr(JsonNode) root = recur_json_read_file (path, error);
  JsonNode *node = root;

  if (root == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_OBJECT (root) && json_object_has_member (json_node_get_object (root),
                                                                "config"))
    node = json_object_get_member (json_node_get_object (root), "config");
  recur_job_config_clear (c);
  if (!recur_job_config_from_json (node, c, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  return TRUE;
}

/* From the parsed options to a job configuration; unset options keep the defaults. */
static gboolean
train_options_to_config (const TrainOptions  *o,
                         RecurJobConfig      *c,
                         GError             **error)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);
  const RecurSetting *model = recur_settings_find ("model");
  const RecurSetting *optimizer = recur_settings_find ("optimizer");
  guint i_model = model - settings, i_optimizer = optimizer - settings;

  if (o->texts[i_model] && !model_is_auto (o))
    {
      if (!set_option (o, settings, i_model, c, error))
        return as_option_error (error);
      recur_model_spec_init_for_cell (&c->model, c->model.cell);
    }
  if (o->texts[i_optimizer])
    {
      if (!set_option (o, settings, i_optimizer, c, error))
        return as_option_error (error);
      recur_optimizer_spec_init (&c->train.optimizer, c->train.optimizer.kind,
                                 c->train.optimizer.lr);
    }
  for (guint i = 0; i < n; i++)
    if (i != i_model && i != i_optimizer && !set_option (o, settings, i, c, error))
      return as_option_error (error);
  return TRUE;
}

/* "sgd, rmsprop": the kinds of a mask, named by the choices of a setting */
static char *
kinds_text (guint               mask,
            const RecurSetting *kinds)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; kinds->choices[i]; i++)
    if (mask & (1u << i))
      g_string_append_printf (text, "%s%s", text->len ? ", " : "", kinds->choices[i]);
  return g_string_free (text, FALSE);
}

/* Why a setting does nothing in config, or NULL if it does something. */
static char *
unused_reason (const RecurSetting   *s,
               const RecurJobConfig *c)
{
  const RecurSetting *optimizer = recur_settings_find ("optimizer");
  const RecurSetting *schedule = recur_settings_find ("schedule");
  g_autofree char *kinds = NULL;

  if (recur_setting_applies (s, c))
    return NULL;
  if (!recur_setting_applies_to_cell (s, c->model.cell))
    return g_strdup_printf (_("--%s has no effect with --model %s"), s->name,
                            recur_cell_to_option (c->model.cell));
  if (s->optimizers && !(s->optimizers & (1u << c->train.optimizer.kind)))
    {
      kinds = kinds_text (s->optimizers, optimizer);
      return g_strdup_printf (_("--%s has no effect with --optimizer %s: it applies to %s"),
                              s->name, optimizer->choices[c->train.optimizer.kind], kinds);
    }
  if (s->schedules && !(s->schedules & (1u << c->train.schedule)))
    {
      kinds = kinds_text (s->schedules, schedule);
      return g_strdup_printf (_("--%s has no effect with --schedule %s: it applies to %s"),
                              s->name, schedule->choices[c->train.schedule], kinds);
    }
  if (s->flags & RECUR_SETTING_MEMBERS)
    return g_strdup_printf (_("--%s has no effect with one network: it applies to the members "
                              "of --ensemble 2 or more"), s->name);
  if (s->flags & RECUR_SETTING_GIVEN_BOX_COX)
    return g_strdup_printf (_("--%s has no effect without --box-cox given"), s->name);
  return g_strdup_printf (_("--%s has no effect with one layer: it applies between stacked "
                            "layers"), s->name);
}

void
recur_train_options_warn_unused (const RecurTrainOptions *o,
                                 const RecurJobConfig    *config)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  for (guint i = 0; i < n; i++)
    if (o->texts[i] || o->flags[i])
      {
        g_autofree char *reason = unused_reason (&settings[i], config);

        if (reason)
          g_printerr (_("recur: warning: %s\n"), reason);
      }
}

/* ---- for the commands in other files ---- */

gboolean
recur_train_options_model_is_auto (const RecurTrainOptions *options)
{
  return model_is_auto (options);
}

gboolean
recur_train_options_wants_auto (const RecurTrainOptions *o)
{
  const RecurSetting *model = recur_settings_find ("model");
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  /* a configuration file names its cell: the run it describes is repeated */
  return model_is_auto (o) || (o->texts[model - settings] == NULL && o->config == NULL);
}

GStrv
recur_train_options_given (const RecurTrainOptions *o)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  for (guint i = 0; i < n; i++)
    if (!g_str_equal (settings[i].name, "model")
        && (o->texts[i] || o->flags[i] || o->alias_texts[i]))
      g_strv_builder_add (names, settings[i].name);
  return g_strv_builder_end (names);
}

RecurTrainOptions *
recur_train_options_new (void)
{
  TrainOptions *o = g_new (TrainOptions, 1);

  recur_train_options_init (o);
  return o;
}

void
recur_train_options_free (RecurTrainOptions *options)
{
  if (options == NULL)
    return;
  recur_train_options_clear (options);
  g_free (options);
}

void
recur_train_options_add_entries (RecurTrainOptions *options,
                                 GOptionContext    *context)
{
  add_config_entries (context, options);
}

gboolean
recur_train_options_read_config (const RecurTrainOptions  *options,
                                 RecurJobConfig           *config,
                                 GError                  **error)
{
  return options->config == NULL || read_config_file (options->config, config, error);
}

gboolean
recur_train_options_to_config (const RecurTrainOptions  *options,
                               RecurJobConfig           *config,
                               GError                  **error)
{
  return train_options_to_config (options, config, error);
}
