#pragma once
// Output files appear whole or not at all: they are written under a partial name unique to
// the run (created exclusively, so two runs never share one), then renamed over PATH. A run
// that fails half way leaves an existing PATH untouched.
#include <string>

namespace marlsim {

// Creates a new empty file "PATH.XXXXXXXX.partial" beside `path` with an exclusive create and
// returns its name. Throws InputError naming `path` and the reason when it cannot be created
// (missing folder, read-only folder, no permission, ...).
std::string create_partial_file(const std::string& path);

// create_partial_file, write `content`, rename over `path`.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace marlsim
