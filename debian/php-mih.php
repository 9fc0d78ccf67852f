mod debian/mih.ini
