-- Each recipient's answer to an email attempt (issue 9 item 5): SMTP answers every RCPT TO on its
-- own and, with sendpartial, a message goes to the recipients the server accepted. A JSON array of
-- {"address","outcome":"accepted"|"refused","code","detail"}, written in the same statement as the
-- attempt row; null for SMS and for attempts recorded before this version.
alter table attempt add column recipients jsonb;
