"""Every text the bot sends, in one catalog: Indonesian first, English second.

WhatsApp formatting: *bold*, _italic_. Placeholders are str.format fields. A test checks that
both languages have the same keys and the same placeholders.
"""

from __future__ import annotations

from typing import Any

from domain.formatting import car_name, rupiah

LANGUAGES = ("id", "en")

TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "help": (
            "Halo! Saya bot katalog *{showroom}*.\n\n"
            "Untuk memasang mobil, kirim datanya: merek, model, tahun, KM, harga.\n"
            "Contoh: _Honda Freed PSD Matic tahun 2012 KM 145rb harga 145jt_\n"
            "(boleh dengan */upload* di depan, atau sebagai keterangan foto)\n\n"
            "Lalu kirim 1-10 foto dan ketik *selesai*. Perintah lain: */list*, */harga*, "
            "*/sold*, */hapus*, */foto*."
        ),
        "idle_hint": (
            "Halo! Kirim data mobilnya untuk mulai, misalnya "
            "_Toyota Avanza G 2019 matic km 60rb harga 165jt_, lalu fotonya."
        ),
        "photos_first_kept": (
            "Foto disimpan. Sekarang kirim data mobilnya, misalnya "
            "_Toyota Avanza G 2019 matic km 60rb harga 165jt_."
        ),
        "ask_listing": (
            "Mobil apa yang mau dipasang? Kirim merek, model, tahun dan harganya, misalnya "
            "_Toyota Avanza G 2019 harga 165jt_."
        ),
        "ask_model": ("Mobilnya apa? Tulis merek dan modelnya, misalnya _Toyota Avanza G_."),
        "ask_year": "*{car}*: tahun berapa? Balas tahunnya saja, misalnya _2019_.",
        "ask_price_idr": "*{car}*: harganya berapa? Balas harganya saja, misalnya _165jt_.",
        "ask_mileage_km": "*{car}*: KM-nya berapa? Misalnya _km 60rb_.",
        "collecting_later": ("Oke, saya tunggu. Kirim fotonya kapan saja, lalu ketik *selesai*."),
        "preview_later": (
            "Oke, iklannya belum saya tayangkan. Ketik *ya* kalau sudah siap, atau kirim koreksi."
        ),
        "delete_pending": "Ketik *ya* untuk menghapus *#{code}*, atau *tidak* kalau tidak jadi.",
        "photos_first_expired": (
            "Foto yang Anda kirim lebih dari 15 menit lalu tidak saya pakai untuk iklan ini. "
            "Kirim lagi fotonya, ya."
        ),
        "cancelled_nothing_sent": "Upload dibatalkan.",
        "value_negotiable": "harga bisa nego",
        "value_nett": "harga pas (nett)",
        "not_understood": "Maaf, belum paham.",
        "retype_price_too_low": (
            "Harga {value}? Sepertinya kurang angka. Kirim lagi harganya, misalnya _165jt_."
        ),
        "retype_price_too_high": (
            "Harga {value}? Sepertinya salah ketik. Kirim lagi harganya, misalnya _165jt_."
        ),
        "retype_mileage_too_high": (
            "Jarak tempuh {value}? Sepertinya salah ketik. Kirim lagi, misalnya _km 120rb_."
        ),
        "retype_mileage_over_a_million": (
            "Jarak tempuh {value}? Sepertinya salah ketik. Kirim lagi, misalnya _km 120rb_."
        ),
        "retype_mileage_high_for_age": (
            "Jarak tempuh {value}? Sepertinya salah ketik. Kirim lagi, misalnya _km 120rb_."
        ),
        "retype_mileage_low_for_age": (
            "Jarak tempuh {value}? Sepertinya salah ketik. Kirim lagi, misalnya _km 120rb_."
        ),
        "retype_year_too_old": (
            "Tahun {value}? Sepertinya salah ketik. Kirim lagi tahunnya, misalnya _2019_."
        ),
        "retype_year_in_future": (
            "Tahun {value}? Sepertinya salah ketik. Kirim lagi tahunnya, misalnya _2019_."
        ),
        "confirm_mileage_km": (
            "Jarak tempuh {value} untuk mobil tahun {year}, betul? Balas *ya*, "
            "atau kirim yang benar (misalnya _km 120rb_)."
        ),
        "confirm_year": (
            "Tahun {value}, betul? Balas *ya*, atau kirim tahun yang benar (misalnya _2019_)."
        ),
        "confirm_price_idr": (
            "Harga {value}, betul? Balas *ya*, atau kirim harga yang benar (misalnya _165jt_)."
        ),
        "confirm_model": "Mobilnya {value}, betul? Balas *ya*, atau kirim merek dan modelnya.",
        "upload_understood_photos": (
            "Siap! Yang saya tangkap:\n{summary}\n\n"
            "{count} foto sudah saya terima. Kirim foto lainnya, lalu ketik *selesai*."
        ),
        "photo_duplicate": "Foto yang sama sudah ada; saya simpan sekali saja.",
        "corrected": "Sudah diubah: {changes}.",
        "preview_unclear": (
            "Maaf, belum paham. Ketik *ya* untuk menayangkan, *batal* untuk membatalkan, "
            "atau kirim koreksi seperti _harga 140jt_, _km 120rb_, _tahun 2017_."
        ),
        "preview_more_photos": (
            "Bisa: kirim saja fotonya sekarang (sampai 10), nanti preview-nya saya tampilkan lagi."
        ),
        "upload_understood": (
            "Siap! Yang saya tangkap:\n{summary}\n\n"
            "Sekarang kirim 1-10 foto mobilnya, lalu ketik *selesai*."
        ),
        "upload_replaced": "Upload sebelumnya saya batalkan. Kita mulai yang baru.",
        "photo_first": "Foto pertama diterima. Kirim foto lainnya, lalu ketik *selesai*.",
        "photo_limit": "Maksimal 10 foto per iklan; foto selebihnya tidak saya simpan.",
        "photo_failed": (
            "Ada foto yang tidak bisa saya ambil atau bukan gambar yang valid. "
            "Tolong kirim ulang foto itu."
        ),
        "photo_too_large": (
            "Ada foto yang terlalu besar untuk saya proses. Kirim sebagai *foto* biasa "
            "(bukan dokumen), atau perkecil dulu ukurannya."
        ),
        "photo_server_fault": (
            "Maaf, sedang ada gangguan di sistem kami sehingga ada foto yang belum bisa "
            "disimpan. Ini bukan kesalahan Anda. Tolong kirim ulang foto itu sebentar lagi."
        ),
        "waiting_photos": "Sebentar, masih mengambil {count} foto...",
        "no_photos": (
            "Belum ada foto. Kirim 1-10 foto mobilnya, atau ketik *skip* untuk lanjut tanpa foto."
        ),
        "collecting_hint": (
            "Kirim foto mobilnya, lalu ketik *selesai*. Ketik *batal* untuk membatalkan."
        ),
        "preview": (
            "*Preview iklan*\n{summary}\nFoto: {photos}\n\n{description}\n\n"
            "Ketik *ya* untuk menayangkan, *tidak* untuk membatalkan, "
            "atau kirim koreksi seperti _harga 140jt_ atau _km 120rb_."
        ),
        "published": "Iklan *#{code}* sudah tayang: {link}",
        "cancelled": "Upload dibatalkan. Foto yang sudah dikirim saya hapus.",
        "nothing_to_cancel": "Tidak ada upload yang sedang berjalan.",
        "expired": (
            "Upload Anda sebelumnya sudah kedaluwarsa karena lama tidak ada kabar, "
            "jadi saya batalkan."
        ),
        "my_listings": "*Mobil Anda*\n{lines}",
        "my_listings_none": "Anda belum punya mobil di katalog. Kirim */upload* untuk mulai.",
        "listing_line": "#{code} {name} {year} - {price} - {status}",
        "listing_not_found": (
            "Kode *#{code}* tidak ditemukan di mobil Anda. Lihat daftarnya: */list*"
        ),
        "listing_status_set": "*#{code}* sekarang: *{status}*.",
        "listing_price_set": "Harga *#{code}* sekarang {price}.",
        "listing_deleted": "*#{code}* sudah dihapus dari katalog.",
        "confirm_delete": (
            "Hapus *#{code}* dari katalog? Ketik *ya* untuk menghapus, *tidak* untuk batal."
        ),
        "delete_kept": "Baik, *#{code}* tidak dihapus.",
        "usage_status": "Format: */status #KODE terjual|booking|tersedia*",
        "usage_price": "Format: */harga #KODE 140jt*",
        "usage_code": "Sebutkan kodenya, misalnya */{command} #H07*",
        "status_available": "tersedia",
        "status_booking": "booking",
        "status_sold": "terjual",
        "status_hidden": "disembunyikan",
        "status_deleted": "dihapus",
        "send_photos_for": "Kirim foto tambahan untuk *#{code}*, lalu ketik *selesai*.",
        "photos_added": "{count} foto ditambahkan ke *#{code}*.",
        "photos_none_added": "Tidak ada foto yang ditambahkan ke *#{code}*.",
        "not_a_seller": (
            "Halo, terima kasih sudah menghubungi *{showroom}*! "
            "Lihat mobil-mobil kami di {link}. Tim kami akan segera membalas."
        ),
        "admin_help": (
            "*Perintah admin*\n"
            "/seller - daftar penjual\n/seller tambah 0812... Nama\n/seller hapus 0812...\n"
            "/admin tambah 0812...\n/admin hapus 0812...\n"
            "/mobil [terjual|booking|tersedia] - semua mobil\n"
            "/sembunyikan #KODE, /tampilkan #KODE, /hapus #KODE\n"
            "/leads [hot|warm|baru] - calon pembeli\n/lead 0812... closed|lost|hot\n"
            "/permintaan - dicari pembeli, tidak ada di stok\n"
            "/stats, /health, /backup"
        ),
        "not_admin": "Maaf, perintah ini hanya untuk admin.",
        "usage_person": "Format: */{command} tambah 0812... Nama* atau */{command} hapus 0812...*",
        "person_added": "{phone} sekarang {role}.",
        "person_removed": "{phone} bukan {role} lagi (mobilnya tetap di katalog).",
        "person_absent": "{phone} tidak terdaftar sebagai {role}.",
        "last_admin": "Admin terakhir tidak bisa dihapus.",
        "role_seller": "penjual",
        "role_admin": "admin",
        "people_list": "*Penjual*\n{lines}",
        "people_none": "Belum ada penjual terdaftar. Tambah: */seller tambah 0812... Nama*",
        "person_line": "{phone} {name} - {listings} mobil{admin}",
        "all_listings": "*Semua mobil*\n{lines}",
        "stats": (
            "*Statistik*\nTersedia {available}, booking {booking}, terjual {sold}, "
            "disembunyikan {hidden}\nUpload hari ini {today}, 7 hari {week}\nFoto {photos}, "
            "gagal diambil {photo_failures}, rata-rata siap setelah {photo_wait}\n"
            "Balasan menunggu {backlog}, gagal {failed} "
            "(tak terkirim ke ID tersembunyi {unreachable})\n"
            "Sesi aktif {sessions}, calon pembeli {leads}\n"
            "Pesan gagal diproses (7 hari) {crashed}"
        ),
        "health": (
            "*Kesehatan*\nGateway: {gateway}\nDatabase: {database_mb} MB\n"
            "Disk kosong: {disk_free_gb} GB\nBerjalan sejak {uptime}"
        ),
        "health_postgresql": (
            "*Kesehatan*\nGateway: {gateway}\nDatabase: PostgreSQL, {database_mb} MB\n"
            "Disk kosong (foto): {disk_free_gb} GB\nBerjalan sejak {uptime}"
        ),
        "storage_trouble": "⚠️ *Gangguan penyimpanan*: {problems}.",
        "storage_trouble_over": "Gangguan penyimpanan terakhir: {problem}, {since} sampai {until}.",
        "problem_disk_full": "disk penuh (pesan masuk ditolak sementara, balasan menunggu)",
        "problem_database_damaged": "database rusak (pulihkan dari backup)",
        "problem_database_unreachable": "server database tidak bisa dihubungi",
        "problem_writes_failing": "database tidak bisa ditulisi",
        "problem_media_not_writable": "folder foto tidak bisa ditulisi",
        "backup_started": "Backup sedang dibuat...",
        "backup_done": "Backup selesai: {path} ({size_mb} MB).",
        "backup_failed": "Backup gagal: {reason}",
        "backup_postgresql": (
            "Database ini ada di server PostgreSQL: backup dibuat dengan pg_dump di server "
            "(misalnya `pg_dump -Fc -f showroom.dump NAMA_DATABASE`), bukan dari chat."
        ),
        "unsupported": (
            "Maaf, saya hanya bisa membaca teks dan *foto*. "
            "Kirim foto mobil sebagai foto (bukan dokumen atau video)."
        ),
        "crashed": (
            "Maaf, terjadi kesalahan di sistem kami saat memproses pesan Anda. "
            "Tim kami sudah diberi tahu. Ketik */help* untuk contoh cara menulis."
        ),
        "crashed_gave_up": (
            "Maaf, pesan _{excerpt}_ tidak bisa saya proses (kesalahan di sistem kami, "
            "tim kami sudah diberi tahu). Untuk memasang mobil, tulis seperti ini: "
            "_Toyota Avanza G 2019 km 60rb harga 165jt_. Ketik */help* untuk perintah lain."
        ),
    },
    "en": {
        "help": (
            "Hello! I am the catalog bot of *{showroom}*.\n\n"
            "To list a car, send its details: make, model, year, mileage, price.\n"
            "Example: _Honda Freed PSD Matic 2012 KM 145rb price 145jt_\n"
            "(with */upload* in front if you like, or as a photo's caption)\n\n"
            "Then send 1-10 photos and type *selesai* (done). Other commands: */list*, "
            "*/harga*, */sold*, */hapus*, */foto*."
        ),
        "idle_hint": (
            "Hello! Send the car's details to start, for example "
            "_Toyota Avanza G 2019 matic km 60rb price 165jt_, then its photos."
        ),
        "photos_first_kept": (
            "Photo kept. Now send the car's details, for example "
            "_Toyota Avanza G 2019 matic km 60rb price 165jt_."
        ),
        "ask_listing": (
            "Which car do you want to list? Send its make, model, year and price, for example "
            "_Toyota Avanza G 2019 price 165jt_."
        ),
        "ask_model": "Which car is it? Write its make and model, for example _Toyota Avanza G_.",
        "ask_year": "*{car}*: which year? Just reply with the year, for example _2019_.",
        "ask_price_idr": "*{car}*: what is the price? Just reply with it, for example _165jt_.",
        "ask_mileage_km": "*{car}*: what is the mileage? For example _km 60rb_.",
        "collecting_later": (
            "OK, I will wait. Send the photos whenever you like, then type *selesai* (done)."
        ),
        "preview_later": (
            "OK, the listing is not published yet. Type *ya* (yes) when you are ready, "
            "or send a correction."
        ),
        "delete_pending": "Type *ya* (yes) to remove *#{code}*, or *tidak* (no) to keep it.",
        "photos_first_expired": (
            "I did not use the photos you sent more than 15 minutes ago for this listing. "
            "Please send them again."
        ),
        "cancelled_nothing_sent": "Upload cancelled.",
        "value_negotiable": "price negotiable",
        "value_nett": "fixed price (nett)",
        "not_understood": "Sorry, I did not understand.",
        "retype_price_too_low": (
            "A price of {value}? A digit seems to be missing. Send the price again, "
            "for example _165jt_."
        ),
        "retype_price_too_high": (
            "A price of {value}? That looks like a typo. Send the price again, for example _165jt_."
        ),
        "retype_mileage_too_high": (
            "{value}? That looks like a typo. Send the mileage again, for example _km 120rb_."
        ),
        "retype_mileage_over_a_million": (
            "{value}? That looks like a typo. Send the mileage again, for example _km 120rb_."
        ),
        "retype_mileage_high_for_age": (
            "{value}? That looks like a typo. Send the mileage again, for example _km 120rb_."
        ),
        "retype_mileage_low_for_age": (
            "{value}? That looks like a typo. Send the mileage again, for example _km 120rb_."
        ),
        "retype_year_too_old": (
            "The year {value}? That looks like a typo. Send the year again, for example _2019_."
        ),
        "retype_year_in_future": (
            "The year {value}? That has not come yet. Send the year again, for example _2019_."
        ),
        "confirm_mileage_km": (
            "{value} on a {year} car, is that right? Reply *ya* (yes), or send the right "
            "mileage (for example _km 120rb_)."
        ),
        "confirm_year": (
            "The year {value}, is that right? Reply *ya* (yes), or send the right year "
            "(for example _2019_)."
        ),
        "confirm_price_idr": (
            "A price of {value}, is that right? Reply *ya* (yes), or send the right price "
            "(for example _165jt_)."
        ),
        "confirm_model": (
            "The car is a {value}, right? Reply *ya* (yes), or send its make and model."
        ),
        "upload_understood_photos": (
            "Got it! This is what I understood:\n{summary}\n\n"
            "I already have {count} photo(s). Send the others, then type *selesai* (done)."
        ),
        "photo_duplicate": "That photo came twice; I keep it once.",
        "corrected": "Changed: {changes}.",
        "preview_unclear": (
            "Sorry, I did not understand. Type *ya* (yes) to publish, *batal* to cancel, "
            "or send a correction such as _price 140jt_, _km 120rb_, _year 2017_."
        ),
        "preview_more_photos": (
            "Yes: just send the photos now (up to 10), and I will show the preview again."
        ),
        "upload_understood": (
            "Got it! This is what I understood:\n{summary}\n\n"
            "Now send 1-10 photos of the car, then type *selesai* (done)."
        ),
        "upload_replaced": "I cancelled your previous upload. Let's start the new one.",
        "photo_first": "First photo received. Send the others, then type *selesai* (done).",
        "photo_limit": "At most 10 photos per listing; I am not keeping the extra ones.",
        "photo_failed": (
            "I could not get one of the photos, or it is not a valid picture. "
            "Please send that photo again."
        ),
        "photo_too_large": (
            "One of the photos is too large for me to process. Send it as a normal *photo* "
            "(not as a document), or make it smaller first."
        ),
        "photo_server_fault": (
            "Sorry, we are having a problem on our side, so one of the photos could not be "
            "saved yet. It is not your fault. Please send that photo again in a little while."
        ),
        "waiting_photos": "One moment, still fetching {count} photo(s)...",
        "no_photos": (
            "No photos yet. Send 1-10 photos of the car, or type *skip* to go on without."
        ),
        "collecting_hint": (
            "Send photos of the car, then type *selesai* (done). Type *batal* to cancel."
        ),
        "preview": (
            "*Listing preview*\n{summary}\nPhotos: {photos}\n\n{description}\n\n"
            "Type *ya* (yes) to publish, *tidak* (no) to cancel, "
            "or send a correction such as _price 140jt_ or _km 120rb_."
        ),
        "published": "Listing *#{code}* is live: {link}",
        "cancelled": "Upload cancelled. I deleted the photos you sent.",
        "nothing_to_cancel": "There is no upload in progress.",
        "expired": "Your previous upload expired after a long silence, so I cancelled it.",
        "my_listings": "*Your cars*\n{lines}",
        "my_listings_none": "You have no cars in the catalog yet. Send */upload* to start.",
        "listing_line": "#{code} {name} {year} - {price} - {status}",
        "listing_not_found": "Code *#{code}* is not one of your cars. See them: */list*",
        "listing_status_set": "*#{code}* is now: *{status}*.",
        "listing_price_set": "The price of *#{code}* is now {price}.",
        "listing_deleted": "*#{code}* was removed from the catalog.",
        "confirm_delete": (
            "Remove *#{code}* from the catalog? Type *ya* (yes) to remove it, "
            "*tidak* (no) to keep it."
        ),
        "delete_kept": "All right, *#{code}* stays.",
        "usage_status": "Use: */status #CODE sold|booking|available*",
        "usage_price": "Use: */harga #CODE 140jt*",
        "usage_code": "Name the car's code, for example */{command} #H07*",
        "status_available": "available",
        "status_booking": "booked",
        "status_sold": "sold",
        "status_hidden": "hidden",
        "status_deleted": "removed",
        "send_photos_for": "Send the extra photos for *#{code}*, then type *selesai* (done).",
        "photos_added": "{count} photo(s) added to *#{code}*.",
        "photos_none_added": "No photos were added to *#{code}*.",
        "not_a_seller": (
            "Hello, and thank you for contacting *{showroom}*! "
            "See our cars at {link}. Our team will answer you soon."
        ),
        "admin_help": (
            "*Admin commands*\n"
            "/seller - the sellers\n/seller add 0812... Name\n/seller remove 0812...\n"
            "/admin add 0812...\n/admin remove 0812...\n"
            "/mobil [sold|booking|available] - every car\n"
            "/hide #CODE, /show #CODE, /hapus #CODE\n"
            "/leads [hot|warm|baru] - the leads\n/lead 0812... closed|lost|hot\n"
            "/permintaan - asked for, not in stock\n"
            "/stats, /health, /backup"
        ),
        "not_admin": "Sorry, this command is for admins only.",
        "usage_person": "Use: */{command} add 0812... Name* or */{command} remove 0812...*",
        "person_added": "{phone} is now {role}.",
        "person_removed": "{phone} is no longer {role} (their cars stay in the catalog).",
        "person_absent": "{phone} is not registered as {role}.",
        "last_admin": "The last admin cannot be removed.",
        "role_seller": "a seller",
        "role_admin": "an admin",
        "people_list": "*Sellers*\n{lines}",
        "people_none": "No sellers registered yet. Add one: */seller add 0812... Name*",
        "person_line": "{phone} {name} - {listings} car(s){admin}",
        "all_listings": "*All cars*\n{lines}",
        "stats": (
            "*Statistics*\nAvailable {available}, booked {booking}, sold {sold}, "
            "hidden {hidden}\nUploads today {today}, 7 days {week}\nPhotos {photos}, "
            "failed downloads {photo_failures}, ready after {photo_wait} on average\n"
            "Replies waiting {backlog}, failed {failed} "
            "(not sendable to a hidden id {unreachable})\n"
            "Active sessions {sessions}, leads {leads}\n"
            "Messages that could not be handled (7 days) {crashed}"
        ),
        "health": (
            "*Health*\nGateway: {gateway}\nDatabase: {database_mb} MB\n"
            "Disk free: {disk_free_gb} GB\nRunning since {uptime}"
        ),
        "health_postgresql": (
            "*Health*\nGateway: {gateway}\nDatabase: PostgreSQL, {database_mb} MB\n"
            "Disk free (photos): {disk_free_gb} GB\nRunning since {uptime}"
        ),
        "storage_trouble": "⚠️ *Storage trouble*: {problems}.",
        "storage_trouble_over": "Last storage trouble: {problem}, {since} to {until}.",
        "problem_disk_full": "the disk is full (incoming messages refused for now, replies wait)",
        "problem_database_damaged": "the database is damaged (restore a backup)",
        "problem_database_unreachable": "the database server cannot be reached",
        "problem_writes_failing": "the database cannot be written",
        "problem_media_not_writable": "the photo folder cannot be written",
        "backup_started": "Making a backup...",
        "backup_done": "Backup done: {path} ({size_mb} MB).",
        "backup_failed": "Backup failed: {reason}",
        "backup_postgresql": (
            "This database is on a PostgreSQL server: back it up with pg_dump on the server "
            "(e.g. `pg_dump -Fc -f showroom.dump DATABASE_NAME`), not from the chat."
        ),
        "unsupported": (
            "Sorry, I can only read text and *photos*. "
            "Send the car's pictures as photos (not as documents or videos)."
        ),
        "crashed": (
            "Sorry, something went wrong on our side while handling your message. "
            "Our team has been told. Type */help* for examples of how to write."
        ),
        "crashed_gave_up": (
            "Sorry, I could not handle your message _{excerpt}_ (an error on our side; our "
            "team has been told). To list a car, write it like this: "
            "_Toyota Avanza G 2019 km 60rb price 165jt_. Type */help* for other commands."
        ),
    },
}


FIELD_NAMES = {
    "id": {
        "model": "merek/model",
        "year": "tahun",
        "price_idr": "harga",
        "mileage_km": "jarak tempuh",
        "transmission": "transmisi",
        "fuel": "bahan bakar",
        "color": "warna",
        "variant": "tipe",
        "photos": "foto",
    },
    "en": {
        "model": "make/model",
        "year": "year",
        "price_idr": "price",
        "mileage_km": "mileage",
        "transmission": "transmission",
        "fuel": "fuel",
        "color": "colour",
        "variant": "trim",
        "photos": "photos",
    },
}


# The parser's values are Indonesian (`Matic`, `Putih`, `Bensin`); an English tenant's texts
# show them in English.
VALUE_NAMES = {
    "en": {
        "Matic": "Automatic", "Manual": "Manual", "Bensin": "Petrol", "Diesel": "Diesel",
        "Hybrid": "Hybrid", "Listrik": "Electric", "Putih": "White", "Hitam": "Black",
        "Silver": "Silver", "Abu-abu": "Grey", "Merah": "Red", "Biru": "Blue", "Hijau": "Green",
        "Kuning": "Yellow", "Coklat": "Brown", "Oranye": "Orange", "Ungu": "Purple",
        "Emas": "Gold", "Maroon": "Maroon", "Champagne": "Champagne", "Bronze": "Bronze",
    },
}  # fmt: skip


def value_name(language: str, value: object) -> str:
    """A value as the tenant's readers name it: `Matic` is `Automatic` in English."""
    shown = str(value)
    return VALUE_NAMES.get(language, {}).get(shown, shown)


def field_name(language: str, key: str) -> str:
    return FIELD_NAMES.get(language, FIELD_NAMES["id"]).get(key, key)


def text(language: str, key: str, **values: Any) -> str:
    """The text `key` in `language` (Indonesian when the language is unknown)."""
    catalog = TEXTS.get(language, TEXTS["id"])
    return catalog[key].format(**values)


def has_text(key: str) -> bool:
    """Is there a text `key` (both languages have the same keys: test_texts)?"""
    return key in TEXTS["id"]


# The catalog website's words (the pages buyers see), in the same two languages.
WEB_TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "search": "Cari mobil (mis. Avanza, Jazz RS)", "make": "Merek", "all_makes": "Semua merek",
        "transmission": "Transmisi", "any_transmission": "Semua transmisi",
        "price_min": "Harga min (juta)", "price_max": "Harga maks (juta)",
        "year_min": "Tahun dari", "year_max": "Tahun sampai", "filter": "Cari",
        "found": "{count} mobil", "found_one": "1 mobil", "value_Matic": "Matic",
        "value_Manual": "Manual", "nothing": "Belum ada mobil yang cocok.",
        "previous": "Sebelumnya", "next": "Berikutnya", "no_photo": "Belum ada foto",
        "photos": "Foto", "swipe": "Geser untuk melihat {count} foto",
        "code": "Kode", "chat": "Chat via WhatsApp",
        "status_available": "Tersedia", "status_booking": "Booking", "status_sold": "TERJUAL",
        "year": "Tahun", "mileage": "Jarak tempuh", "fuel": "Bahan bakar", "color": "Warna",
        "variant": "Varian", "list_description": "Mobil bekas dijual di {showroom}.",
        "wa_message": "Halo, saya tertarik dengan {name} {year} (kode #{code}): {link}",
        "not_found": "Mobil ini tidak ada atau sudah tidak ditampilkan.",
    },
    "en": {
        "search": "Search (e.g. Avanza, Jazz RS)", "make": "Make", "all_makes": "All makes",
        "transmission": "Transmission", "any_transmission": "Any transmission",
        "price_min": "Min price (million)", "price_max": "Max price (million)",
        "year_min": "Year from", "year_max": "Year to", "filter": "Search",
        "found": "{count} cars", "found_one": "1 car", "value_Matic": "Automatic",
        "value_Manual": "Manual", "nothing": "No cars match yet.",
        "previous": "Previous", "next": "Next", "no_photo": "No photo yet",
        "photos": "Photos", "swipe": "Swipe to see {count} photos",
        "code": "Code", "chat": "Chat on WhatsApp",
        "status_available": "Available", "status_booking": "Booked", "status_sold": "SOLD",
        "year": "Year", "mileage": "Mileage", "fuel": "Fuel", "color": "Colour",
        "variant": "Variant", "list_description": "Used cars for sale at {showroom}.",
        "wa_message": "Hello, I am interested in the {name} {year} (code #{code}): {link}",
        "not_found": "This car does not exist or is no longer shown.",
    },
}  # fmt: skip


def listing_lines(rows: list[dict], language: str, *, with_seller: bool = False) -> str:
    """One line a car (`#H07 Honda Freed PSD 2012 - Rp 145.000.000 - tersedia`), for /list
    and the admins' /mobil (which adds whose car it is)."""
    lines = []
    for row in rows:
        line = text(
            language,
            "listing_line",
            code=row["code"],
            name=car_name(row),
            year=row.get("year") or "",
            price=rupiah(row["price_idr"]),
            status=text(language, f"status_{row['status']}"),
        )
        lines.append(f"{line} ({row['seller']})" if with_seller else line)
    return "\n".join(lines)


# The buyer conversation (domain.buyer) and the admins' lead commands: kept in one block so the
# seller's texts above can change without touching these. Merged into TEXTS below.
BUYER_TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "buyer_greeting": (
            "Halo, selamat datang di *{showroom}*! 👋 Saya asisten otomatis, siap 24 jam: "
            "cari stok (mis. _avanza matic dibawah 150jt_), detail & foto mobil dengan "
            "kodenya (mis. _#KODE_), simulasi kredit, dan lokasi. Ingin bicara dengan tim kami? "
            "Ketik *sales*."
        ),
        "buyer_thanks": "Sama-sama, kak! 🙏 Kabari saja kalau ada yang ingin ditanyakan.",
        "buyer_greeting_short": "Halo kak 👋 Ada yang bisa saya bantu?",
        "buyer_closing_later": "Baik kak, ditunggu kabarnya 🙏",
        "buyer_closing_ack": "Siap kak 🙏",
        "buyer_trust": (
            "Betul kak, *{showroom}* adalah showroom mobil bekas dengan alamat yang jelas 🙏\n"
            "{details}\n\nSemua mobil kami ada di katalog: {link}\nSilakan datang dan cek "
            "unitnya langsung; jangan transfer apa pun sebelum melihat mobil dan bertemu tim "
            "kami."
        ),
        "buyer_unknown": (
            "Maaf, saya belum paham. 🙏 Saya bisa bantu cari stok (_avanza matic_), "
            "detail & foto (_#KODE_), kredit, dan lokasi. Ketik *sales* untuk bicara dengan "
            "tim kami."
        ),
        "buyer_unsupported": (
            "Maaf, saya hanya bisa membaca pesan teks. 🙏 Tulis pertanyaannya ya, misalnya "
            "_avanza matic dibawah 150jt_ atau kode mobil _#KODE_."
        ),
        "buyer_not_seller": (
            "Nomor ini belum terdaftar sebagai penjual di *{showroom}*, jadi belum bisa "
            "memasang mobil. Lihat mobil-mobil kami di {link}."
        ),
        "buyer_throttled": (
            "Pesannya banyak sekali, kak 🙏 Pesan terakhir Anda saya jawab sebentar lagi ya."
        ),
        "buyer_handover": (
            "Baik kak, saya teruskan ke tim kami; mereka akan segera membalas di chat ini. 🙏"
        ),
        "buyer_handover_car": (
            "Baik kak, soal *#{code} {name} {year}* saya teruskan ke tim kami; mereka akan "
            "segera membalas di chat ini. 🙏"
        ),
        "buyer_handover_papers": (
            "Soal surat-surat *#{code} {name} {year}* (pajak, BPKB, STNK, riwayat servis) tim "
            "kami yang akan konfirmasi langsung, kak. Sudah saya teruskan; mereka akan segera "
            "membalas di chat ini. 🙏"
        ),
        "buyer_handover_condition": (
            "Soal kondisi dan riwayat *#{code} {name} {year}* tim kami yang akan cek dan "
            "konfirmasi langsung, kak. Sudah saya teruskan; mereka akan segera membalas di chat "
            "ini. 🙏"
        ),
        "buyer_handover_flood_or_accident": (
            "Soal riwayat banjir atau tabrakan *#{code} {name} {year}* tim kami yang akan cek "
            "dan konfirmasi langsung, kak. Sudah saya teruskan; mereka akan segera membalas di "
            "chat ini. 🙏"
        ),
        "buyer_handover_fact_missing": (
            "Soal {fact} *#{code} {name} {year}*: belum tercantum di katalog, kak. Saya tanyakan "
            "ke tim kami; mereka akan segera membalas di chat ini. 🙏"
        ),
        "buyer_handover_low_dp": (
            "DP {dp} itu sekitar {share}% dari harga *#{code} {name} {year}* ({price}); "
            "leasing biasanya minta DP minimal {usual}% ({usual_dp}). Saya teruskan ke tim kami "
            "untuk dicek bisa atau tidaknya; mereka akan segera membalas di chat ini. 🙏"
        ),
        "buyer_handover_again": (
            "Sudah saya teruskan ke tim kami, mohon ditunggu sebentar ya kak. 🙏"
        ),
        "buyer_car_line": "*#{code}* {name} {year}\n{details}\n{link}",
        "buyer_found": (
            "Ada {count} mobil yang cocok:\n\n{lines}{more}\n\n"
            "Ketik kodenya (mis. *#{code}*) untuk detail & foto."
        ),
        "buyer_more": "\n\n...dan {count} lainnya di {link}",
        "buyer_anything": "mobil yang dicari",
        "buyer_not_found": (
            "Maaf kak, {wanted} belum ada di stok kami saat ini. 🙏 Permintaan Anda kami catat. "
            "Lihat semua stok kami: {link}"
        ),
        "buyer_not_found_nearest": (
            "Maaf kak, {wanted} belum ada di stok kami saat ini; permintaan Anda kami catat. 🙏 "
            "Yang paling mendekati:\n\n{lines}\n\n"
            "Ketik kodenya (mis. *#{code}*) untuk detail & foto."
        ),
        "buyer_nearest_again": (
            "Yang paling mendekati {wanted}:\n\n{lines}\n\n"
            "Ketik kodenya (mis. *#{code}*) untuk detail & foto."
        ),
        "buyer_code_unknown": (
            "Kode *#{code}* tidak ada di katalog kami. Lihat mobil yang tersedia: {link}"
        ),
        "buyer_link_unknown": (
            "Mobil di link itu sudah tidak ada di katalog kami. Lihat mobil yang tersedia: {link}"
        ),
        "buyer_which_car": (
            "Mobil yang mana, kak? Kirim kodenya (mis. *#KODE*) atau namanya (mis. _avanza matic_)."
        ),
        "buyer_which_of": "Yang mana, kak? Ketik kodenya:\n\n{lines}",
        "buyer_car": "{card}",
        "buyer_still_there": "Masih tersedia ✅\n{card}",
        "buyer_still_there_short": "Masih ada, kak ✅ *#{code} {name} {year}*, {price}.",
        "buyer_booked": "Status: sedang *booking* (dipesan pembeli lain)",
        "buyer_car_next": (
            "Mau simulasi kredit, foto lain, atau lihat langsung? Balas saja di sini."
        ),
        "buyer_no_photos": "Foto *#{code}* belum ada di katalog.",
        "buyer_all_photos_sent": "Itu semua foto *#{code}* yang ada di katalog.",
        "buyer_photo_caption": "#{code} {name} {year} ({index}/{total})",
        "buyer_sold": "*#{code} {name} {year}* sudah *terjual*. 🙏",
        "buyer_sold_again": (
            "Iya kak, *#{code}* sudah terjual 🙏 Alternatifnya ada di atas; ketik kodenya untuk "
            "detail, atau tulis mobil lain yang dicari."
        ),
        "buyer_similar": (
            "Mobil serupa yang masih tersedia:\n\n{lines}\n\n"
            "Ketik kodenya (mis. *#{code}*) untuk detail & foto."
        ),
        "buyer_alike": (
            "Yang mirip dengan *#{code} {name}* dan masih tersedia:\n\n{lines}\n\n"
            "Ketik kodenya (mis. *#{first}*) untuk detail & foto."
        ),
        "buyer_compare": (
            "Ini keduanya, kak:\n\n{lines}\n\nMau dibantu tim kami memilih yang paling "
            "cocok? Ketik *sales*, nanti tim kami membalas di chat ini."
        ),
        "buyer_fact": "*#{code} {name} {year}*: {fact} {value}.",
        "buyer_fact_yes": "Betul kak, {fact} *#{code} {name}* {value}.",
        "buyer_fact_no": "Bukan kak, {fact} *#{code} {name}* {value}.",
        "fact_color": "warna",
        "fact_mileage": "jarak tempuh",
        "fact_year": "tahun",
        "fact_transmission": "transmisi",
        "fact_fuel": "bahan bakar",
        "fact_price": "harga",
        "buyer_see_catalog": "Lihat mobil yang masih tersedia: {link}",
        "buyer_financing": (
            "*Simulasi kredit #{code}* {name} {year}\n"
            "Harga {price}, bunga flat {rate}% per tahun\n\n{rows}{other}\n\n"
            "_Perkiraan saja, belum termasuk asuransi dan biaya admin; angka pasti dari "
            "showroom dan leasing._"
        ),
        "buyer_financing_other": (
            "\n\nMau hitung DP lain? Tulis saja, mis. _dp 40jt_ atau _dp 30%_."
        ),
        "buyer_financing_which": (
            "Untuk simulasi kredit (bunga flat {rate}% per tahun), ketik kode mobilnya, "
            "mis. _kredit #KODE_."
        ),
        "buyer_dp_row": "DP {dp}{share}, cicilan per bulan:\n{tenors}",
        "buyer_tenor": "{years} th {monthly}",
        "buyer_financing_general": (
            "Bisa kredit lewat leasing rekanan kami 👍 (perkiraan bunga flat {rate}% per "
            "tahun). Kirim kode mobilnya (mis. *#KODE*) untuk simulasi DP 20/30/40% dan "
            "cicilan 1-5 tahun."
        ),
        "buyer_location": "📍 *{showroom}*\n{details}",
        "buyer_maps": "Peta: {link}",
        "buyer_hours": "🕘 Jam buka: {hours}",
        "spec_mileage": "Jarak tempuh",
        "spec_transmission": "Transmisi",
        "spec_fuel": "Bahan bakar",
        "spec_color": "Warna",
        "wanted_car": "mobil",
        "wanted_seats": "{seats} kursi",
        "wanted_year_min": "tahun {year} ke atas",
        "wanted_year_max": "tahun {year} ke bawah",
        "wanted_price_max": "di bawah {price}",
        "wanted_price_min": "di atas {price}",
        "wanted_price_around": "sekitar {price}",
        "wanted_price_cheaper": "yang lebih murah dari {price}",
        "wanted_price_range": "{low}-{high}",
        "wanted_millions": "Rp {amount} juta",
        "wanted_billions": "Rp {amount} miliar",
        "alert": (
            '🔔 *Calon pembeli*: {reason}\n{car}\n{buyer}\nPesan: "{words}"\n\n'
            "Bot berhenti menjawab di chat itu begitu ada yang membalas dari nomor showroom."
        ),
        "alert_car": "Mobil: *#{code}* {name} {year}, {price}\n{link}",
        "alert_no_car": "Pertanyaan umum (belum ada mobil tertentu)",
        "alert_buyer": "Pembeli: {name} {link}",
        "alert_buyer_hidden": ("Pembeli: {name} (nomornya tersembunyi: balas dari nomor showroom)"),
        "alert_no_words": "(bukan teks)",
        "reason_price_nego": "ingin nego harga",
        "reason_viewing": "ingin lihat unit / test drive",
        "reason_trade_in": "ingin tukar tambah",
        "reason_video": "minta video",
        "reason_low_dp": "tanya DP di bawah biasanya",
        "reason_cash_instalments": "ingin bayar cash bertahap",
        "reason_credit_record": "tanya kredit dengan catatan BI",
        "reason_delivery": "tanya pengiriman",
        "reason_flood_or_accident": "tanya riwayat banjir atau tabrakan",
        "reason_dealer_buys": "ingin menjual mobilnya ke showroom",
        "reason_asks_person": "minta dihubungi",
        "reason_unanswered": "pertanyaan yang tidak bisa dijawab bot",
        "reason_more_photos": "minta foto tambahan",
        "reason_location": "tanya lokasi (alamat belum diatur)",
        "reason_papers": "tanya surat-surat (pajak, BPKB, STNK, servis)",
        "reason_wants_to_buy": "ingin membeli / booking",
        "reason_buyer_photo": "mengirim foto (lihat chatnya)",
        "reason_condition": "tanya kondisi atau riwayat mobil",
        "reason_fact_missing": "tanya detail yang belum tercantum di iklan",
        "leads": "*Calon pembeli{which}* (20 terbaru)\n{lines}",
        "leads_none": "Belum ada calon pembeli{which}.",
        "lead_line": '{status} {phone} {name}- {car}"{words}" ({age})',
        "lead_status_new": "baru",
        "lead_status_warm": "warm",
        "lead_status_hot": "🔥 hot",
        "lead_status_closed": "closed",
        "lead_status_lost": "lost",
        "lead_set": "{phone} sekarang *{status}*.",
        "lead_unknown": "{phone} belum tercatat sebagai calon pembeli{yours}.",
        "lead_yours": " untuk mobil Anda",
        "usage_lead": "Format: */lead 0812... closed|lost|hot*",
        "demand": "*Permintaan minggu ini yang belum ada di stok*\n{lines}",
        "demand_none": "Minggu ini semua pencarian pembeli menemukan mobil di stok. 👍",
        "demand_line": "{count}x {wanted} ({buyers} pembeli)",
        "age_minutes": "{count} mnt",
        "age_hours": "{count} jam",
        "age_days": "{count} hr",
        "stats_buyers": (
            "\nPembeli hari ini {today}, 7 hari {week}; lead hot {hot}; "
            "alert ke sales {alerts}; dijawab tanpa orang {answered}"
        ),
    },
    "en": {
        "buyer_greeting": (
            "Hello, welcome to *{showroom}*! 👋 I am the automatic assistant, here 24/7: "
            "search the stock (e.g. _avanza matic under 150jt_), a car's details & photos by "
            "its code (e.g. _#CODE_), a credit simulation, and our location. Want to talk to our "
            "team? Type *sales*."
        ),
        "buyer_thanks": "You're welcome! 🙏 Just ask if there is anything else.",
        "buyer_greeting_short": "Hello 👋 How can I help?",
        "buyer_closing_later": "Sure, we look forward to hearing from you 🙏",
        "buyer_closing_ack": "Noted 🙏",
        "buyer_trust": (
            "Yes, *{showroom}* is a used-car showroom with a real address 🙏\n{details}\n\n"
            "All our cars are in the catalog: {link}\nCome and see the car yourself; do not "
            "transfer anything before you have seen the car and met our team."
        ),
        "buyer_unknown": (
            "Sorry, I did not understand. 🙏 I can search the stock (_avanza matic_), "
            "show a car's details & photos (_#CODE_), credit and our location. Type *sales* to "
            "talk to our team."
        ),
        "buyer_unsupported": (
            "Sorry, I can only read text messages. 🙏 Please type your question, for example "
            "_avanza matic under 150jt_ or a car code like _#CODE_."
        ),
        "buyer_not_seller": (
            "This number is not registered as a seller at *{showroom}*, so it cannot list "
            "cars. See our cars at {link}."
        ),
        "buyer_throttled": (
            "That is a lot of messages 🙏 I will answer your last one in a moment."
        ),
        "buyer_handover_car": (
            "Sure, I have passed your question on *#{code} {name} {year}* to our team; they "
            "will reply in this chat shortly. 🙏"
        ),
        "buyer_handover_papers": (
            "The papers of *#{code} {name} {year}* (tax, BPKB, STNK, service history) are for "
            "our team to confirm. I have passed it on; they will reply in this chat shortly. 🙏"
        ),
        "buyer_handover_condition": (
            "The condition and history of *#{code} {name} {year}* are for our team to check "
            "and confirm. I have passed it on; they will reply in this chat shortly. 🙏"
        ),
        "buyer_handover_flood_or_accident": (
            "Flood or accident history of *#{code} {name} {year}* is for our team to check "
            "and confirm. I have passed it on; they will reply in this chat shortly. 🙏"
        ),
        "buyer_handover_fact_missing": (
            "The {fact} of *#{code} {name} {year}* is not in the listing yet. I have asked our "
            "team; they will reply in this chat shortly. 🙏"
        ),
        "buyer_handover_low_dp": (
            "A down payment of {dp} is about {share}% of the price of *#{code} {name} {year}* "
            "({price}); leasing companies usually want at least {usual}% ({usual_dp}). I have "
            "asked our team whether it can be done; they will reply in this chat shortly. 🙏"
        ),
        "buyer_handover": (
            "All right, I am passing this to our team; they will answer you here shortly. 🙏"
        ),
        "buyer_handover_again": "I have passed it to our team already; please wait a moment. 🙏",
        "buyer_car_line": "*#{code}* {name} {year}\n{details}\n{link}",
        "buyer_found": (
            "{count} car(s) match:\n\n{lines}{more}\n\n"
            "Type a code (e.g. *#{code}*) for details & photos."
        ),
        "buyer_more": "\n\n...and {count} more at {link}",
        "buyer_anything": "the car you are looking for",
        "buyer_not_found": (
            "Sorry, we have no {wanted} in stock right now. 🙏 We noted your request. "
            "See all our cars: {link}"
        ),
        "buyer_not_found_nearest": (
            "Sorry, we have no {wanted} in stock right now; we noted your request. 🙏 "
            "The nearest ones:\n\n{lines}\n\nType a code (e.g. *#{code}*) for details & photos."
        ),
        "buyer_nearest_again": (
            "The nearest to {wanted}:\n\n{lines}\n\nType a code (e.g. *#{code}*) for details "
            "& photos."
        ),
        "buyer_code_unknown": "Code *#{code}* is not in our catalog. See the cars for sale: {link}",
        "buyer_link_unknown": (
            "The car in that link is no longer in our catalog. See the cars for sale: {link}"
        ),
        "buyer_which_car": (
            "Which car do you mean? Send its code (e.g. *#CODE*) or its name (e.g. _avanza matic_)."
        ),
        "buyer_which_of": "Which one? Type its code:\n\n{lines}",
        "buyer_car": "{card}",
        "buyer_still_there": "Still available ✅\n{card}",
        "buyer_still_there_short": "Still available ✅ *#{code} {name} {year}*, {price}.",
        "buyer_booked": "Status: *booked* (reserved by another buyer)",
        "buyer_car_next": "Want a credit simulation, more photos, or to see it? Just reply here.",
        "buyer_no_photos": "There are no photos of *#{code}* in the catalog yet.",
        "buyer_all_photos_sent": "Those are all the photos of *#{code}* in the catalog.",
        "buyer_photo_caption": "#{code} {name} {year} ({index}/{total})",
        "buyer_sold": "*#{code} {name} {year}* is *sold*. 🙏",
        "buyer_sold_again": (
            "Yes, *#{code}* is sold 🙏 The alternatives are above; type a code for its details, "
            "or tell me which other car you are looking for."
        ),
        "buyer_alike": (
            "Cars like *#{code} {name}* still for sale:\n\n{lines}\n\n"
            "Type a code (e.g. *#{first}*) for its details & photos."
        ),
        "buyer_compare": (
            "Here are both:\n\n{lines}\n\nWant our team's help choosing? Type *sales* and "
            "they will reply in this chat."
        ),
        "buyer_fact": "*#{code} {name} {year}*: {fact} {value}.",
        "buyer_fact_yes": "Yes, the {fact} of *#{code} {name}* is {value}.",
        "buyer_fact_no": "No, the {fact} of *#{code} {name}* is {value}.",
        "fact_color": "colour",
        "fact_mileage": "mileage",
        "fact_year": "year",
        "fact_transmission": "transmission",
        "fact_fuel": "fuel",
        "fact_price": "price",
        "buyer_similar": (
            "Similar cars still available:\n\n{lines}\n\n"
            "Type a code (e.g. *#{code}*) for details & photos."
        ),
        "buyer_see_catalog": "See the cars still for sale: {link}",
        "buyer_financing": (
            "*Credit simulation #{code}* {name} {year}\n"
            "Price {price}, flat rate {rate}% per year\n\n{rows}{other}\n\n"
            "_An estimate only, before insurance and fees; the showroom and the leasing "
            "company give the exact figures._"
        ),
        "buyer_financing_other": (
            "\n\nAnother down payment? Just write it, e.g. _dp 40jt_ or _dp 30%_."
        ),
        "buyer_financing_which": (
            "For a credit simulation (flat rate {rate}% per year), type the car's code, "
            "e.g. _kredit #CODE_."
        ),
        "buyer_dp_row": "Down payment {dp}{share}, monthly:\n{tenors}",
        "buyer_tenor": "{years} yr {monthly}",
        "buyer_financing_general": (
            "Credit is possible through our leasing partners 👍 (about {rate}% flat per year). "
            "Send the car's code (e.g. *#CODE*) for a simulation with 20/30/40% down and 1-5 "
            "years."
        ),
        "buyer_location": "📍 *{showroom}*\n{details}",
        "buyer_maps": "Map: {link}",
        "buyer_hours": "🕘 Opening hours: {hours}",
        "spec_mileage": "Mileage",
        "spec_transmission": "Transmission",
        "spec_fuel": "Fuel",
        "spec_color": "Colour",
        "wanted_car": "car",
        "wanted_seats": "{seats} seats",
        "wanted_year_min": "from {year}",
        "wanted_year_max": "up to {year}",
        "wanted_price_max": "under {price}",
        "wanted_price_min": "over {price}",
        "wanted_price_around": "around {price}",
        "wanted_price_cheaper": "cheaper than {price}",
        "wanted_price_range": "{low}-{high}",
        "wanted_millions": "Rp {amount} million",
        "wanted_billions": "Rp {amount} billion",
        "alert": (
            '🔔 *Buyer*: {reason}\n{car}\n{buyer}\nMessage: "{words}"\n\n'
            "The bot stops answering in that chat as soon as someone replies from the "
            "showroom's number."
        ),
        "alert_car": "Car: *#{code}* {name} {year}, {price}\n{link}",
        "alert_no_car": "A general question (no particular car yet)",
        "alert_buyer": "Buyer: {name} {link}",
        "alert_buyer_hidden": "Buyer: {name} (number hidden: reply from the showroom's number)",
        "alert_no_words": "(not a text)",
        "reason_price_nego": "wants to negotiate the price",
        "reason_viewing": "wants to see the car / test drive",
        "reason_trade_in": "wants to trade in a car",
        "reason_video": "asks for a video",
        "reason_low_dp": "asks about a lower down payment than usual",
        "reason_cash_instalments": "wants to pay cash in instalments",
        "reason_credit_record": "asks about credit with a bad credit record",
        "reason_delivery": "asks about delivery",
        "reason_flood_or_accident": "asks about flood or accident history",
        "reason_dealer_buys": "wants to sell their car to the showroom",
        "reason_asks_person": "asks to be contacted",
        "reason_unanswered": "questions the bot could not answer",
        "reason_more_photos": "asks for more photos",
        "reason_location": "asks for the location (no address configured)",
        "reason_papers": "asks about the papers (tax, BPKB, STNK, service)",
        "reason_wants_to_buy": "wants to buy / book",
        "reason_buyer_photo": "sent a photo (see the chat)",
        "reason_condition": "asks about the car's condition or history",
        "reason_fact_missing": "asks a detail the listing does not give",
        "leads": "*Leads{which}* (latest 20)\n{lines}",
        "leads_none": "No leads{which} yet.",
        "lead_line": '{status} {phone} {name}- {car}"{words}" ({age})',
        "lead_status_new": "new",
        "lead_status_warm": "warm",
        "lead_status_hot": "🔥 hot",
        "lead_status_closed": "closed",
        "lead_status_lost": "lost",
        "lead_set": "{phone} is now *{status}*.",
        "lead_unknown": "{phone} is not a lead{yours}.",
        "lead_yours": " on your cars",
        "usage_lead": "Use: */lead 0812... closed|lost|hot*",
        "demand": "*Asked for this week, not in stock*\n{lines}",
        "demand_none": "This week every buyer's search found cars in stock. 👍",
        "demand_line": "{count}x {wanted} ({buyers} buyer(s))",
        "age_minutes": "{count} min",
        "age_hours": "{count} h",
        "age_days": "{count} d",
        "stats_buyers": (
            "\nBuyers today {today}, 7 days {week}; hot leads {hot}; "
            "alerts to sales {alerts}; answered without a person {answered}"
        ),
    },
}

for _language in LANGUAGES:
    TEXTS[_language].update(BUYER_TEXTS[_language])
