#!/usr/bin/env python3
"""Writes pii_labelled.tsv: the labelled PII test set of the clean stage.

Hand-written Chinese and English sentence templates, filled with values whose validity is computed
here independently of the Java code (ISO 7064 MOD 11-2 for resident IDs, Luhn for cards, octet
ranges for IPs). Positives are marked inline as [[TYPE|value]]; every line without a marker is a
negative carrying a look-alike (order numbers, timestamps, ID numbers with a wrong check digit,
Luhn-invalid card numbers, version numbers, MAC addresses, times, ...).

Regenerate (deterministic, seed 20261122):  python3 make_pii_labelled.py > pii_labelled.tsv
Columns: kind (pos|neg), lang (zh|en), sentence.
"""
import random

R = random.Random(20261122)
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
REGIONS = ["110101", "310104", "440305", "510107", "330106", "320102", "420111", "610113",
           "210202", "370202", "500103", "120104", "350203", "430104", "530102", "130102"]


def id_check(first17):
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, W)) % 11]


def id_number(valid=True):
    y = R.randint(1950, 2012)
    m = R.randint(1, 12)
    d = R.randint(1, 28)
    first17 = R.choice(REGIONS) + "%04d%02d%02d" % (y, m, d) + "%03d" % R.randint(0, 999)
    c = id_check(first17)
    if not valid:
        c = R.choice([x for x in "0123456789X" if x != c])
    return first17 + c


def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card(valid=True, n=None):
    prefix = R.choice(["6222", "6228", "6217", "6212", "4111", "4539", "5105", "5425", "6214", "6259"])
    n = n or R.choice([16, 16, 16, 19])
    while True:
        body = prefix + "".join(str(R.randint(0, 9)) for _ in range(n - len(prefix)))
        if luhn_ok(body) == valid:
            return body


def grouped(num):
    return " ".join(num[i:i + 4] for i in range(0, len(num), 4))


def mobile():
    return R.choice(["13", "15", "17", "18", "19"]) + str(R.randint(0, 9)) + "".join(
        str(R.randint(0, 9)) for _ in range(8))


def landline():
    area = R.choice(["010", "021", "0755", "020", "0571", "028"])
    local = str(R.randint(2, 8)) + "".join(str(R.randint(0, 9)) for _ in range(7 if len(area) == 3 else 6))
    return R.choice([area + "-" + local, "(" + area + ")" + local, area + " " + (local[:4] + " " + local[4:] if len(local) == 8 else local[:3] + " " + local[3:])])


def intl():
    return R.choice(["+44 20 7946 0958", "+1 415 555 0132", "+49 30 901820", "+81 3-1234-5678",
                     "+33 1 42 68 53 00", "+852 2123 4567", "+61 2 9374 4000", "+65 6123 4567",
                     "+8613812345678", "+44 7700 900123", "+91 98765 43210", "+34 912 345 678"])


def nanp():
    return R.choice(["(415) 555-0132", "212-555-0187", "(646) 555-0199", "312.555.0144", "503-555-0178"])


def email():
    user = R.choice(["zhang.san", "li_si", "wang.wu88", "john.doe", "a.smith", "m.garcia", "chen.jing",
                     "support", "hr-team", "liu+news", "yang.fan2020"])
    dom = R.choice(["example.com", "163.com", "qq.com", "gmail.com", "company.cn", "mail.example.org",
                    "sina.com.cn", "univ.edu.cn"])
    return user + "@" + dom


def ipv4():
    return ".".join(str(x) for x in [R.choice([10, 172, 192, 8, 114, 203, 61]), R.randint(0, 255),
                                       R.randint(0, 255), R.randint(1, 254)])


def ipv6():
    return R.choice(["2001:db8:85a3::8a2e:370:7334", "fe80::1ff:fe23:4567:890a", "2001:0db8:0000:0000:0000:ff00:0042:8329",
                     "2408:8456:3a10:12c0::1", "240e:3b7:3272:d8d0:db09:c067:8d59:539e", "::ffff:192.168.1.20",
                     "2001:da8:8000:6::2", "fd00::abcd:1234"])


def url_cred():
    return R.choice(["https://admin:S3cretPass@db.example.com:8443/console",
                     "ftp://user01:pa55w0rd@ftp.example.org/pub",
                     "postgres://etl:Hunter2!x@10.0.0.12:5432/warehouse",
                     "mongodb://root:rootpw123@mongo.internal:27017/app",
                     "http://bob:letmein99@intranet.example.cn/wiki",
                     "redis://default:r3dis-Pass@cache.example.com:6379/0"])


def secret():
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    mixed = alnum + "abcdefghijklmnopqrstuvwxyz"
    kind = R.choice(["aws", "ali", "gh", "google", "tencent"])
    if kind == "aws":
        return "AKIA" + "".join(R.choice(alnum) for _ in range(16))
    if kind == "ali":
        return "LTAI" + "".join(R.choice(mixed) for _ in range(16))
    if kind == "gh":
        return "ghp_" + "".join(R.choice(mixed) for _ in range(36))
    if kind == "tencent":
        return "AKID" + "".join(R.choice(mixed) for _ in range(32))
    return "AIza" + "".join(R.choice(mixed + "_-") for _ in range(35))


def token():
    mixed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(R.choice(mixed) for _ in range(R.randint(24, 40)))


def m(t, v):
    return "[[%s|%s]]" % (t, v)


lines = []


def pos(lang, s):
    lines.append(("pos", lang, s))


def neg(lang, s):
    lines.append(("neg", lang, s))


for _ in range(14):
    pos("zh", "请把合同发到我的邮箱%s，谢谢。" % m("EMAIL", email()))
    pos("en", "You can reach me at %s for any questions." % m("EMAIL", email()))
    pos("zh", "联系人：王先生，邮件%s，工作日回复。" % m("EMAIL", email()))
    pos("en", "Send the invoice to %s and cc %s." % (m("EMAIL", email()), m("EMAIL", email())))
for _ in range(14):
    pos("zh", "我的手机号是%s，有事随时打给我。" % m("PHONE", mobile()))
    mb = mobile()
    pos("zh", "客服电话：%s（工作日9:00-18:00）" % m("PHONE", mb[:3] + "-" + mb[3:7] + "-" + mb[7:]))
    pos("zh", "办公室座机%s，传真同号。" % m("PHONE", landline()))
    pos("en", "Call our London office on %s before 5 pm." % m("PHONE", intl()))
    pos("en", "His cell is %s, text him first." % m("PHONE", nanp()))
    pos("zh", "境外请拨打%s联系我们。" % m("PHONE", "+86 " + mobile()))
for _ in range(20):
    pos("zh", "患者身份证号%s，入院日期2023年5月3日。" % m("ID_CARD", id_number()))
    pos("en", "The applicant's resident ID number is %s." % m("ID_CARD", id_number()))
    pos("zh", "请核对：%s，姓名张伟。" % m("ID_CARD", id_number()))
for _ in range(18):
    pos("zh", "工资请打到我的银行卡%s，开户行招商银行。" % m("BANK_CARD", card()))
    pos("en", "Please charge the card %s for the balance." % m("BANK_CARD", grouped(card(n=16))))
    pos("zh", "退款账户：%s（建设银行）" % m("BANK_CARD", card()))
for _ in range(12):
    pos("en", "The server at %s stopped responding after the update." % m("IP", ipv4()))
    pos("zh", "登录日志显示来源IP为%s，请核查。" % m("IP", ipv4()))
    pos("en", "Our IPv6 gateway is %s on the new subnet." % m("IP", ipv6()))
    pos("zh", "内网地址%s和%s都已封禁。" % (m("IP", ipv4()), m("IP", ipv6())))
for _ in range(12):
    pos("en", "The connection string %s was committed by mistake." % m("URL_CREDENTIALS", url_cred()))
    pos("zh", "配置文件里写着 %s ，请尽快修改。" % m("URL_CREDENTIALS", url_cred()))
for _ in range(12):
    pos("en", "Set AWS_ACCESS_KEY_ID=%s in the environment." % m("SECRET", secret()))
    pos("zh", "这是测试用的密钥 %s ，不要外传。" % m("SECRET", secret()))
    pos("en", "curl -H \"Authorization: Bearer %s\" https://api.example.com/v1/items" % m("SECRET", token()))
    pos("zh", "数据库密码：%s，下周过期。" % m("SECRET", token()[:12]))
pos("en", "Here is the key: %s" % m("SECRET", "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA7v1xQ9mYkQ\\n-----END RSA PRIVATE KEY-----"))
pos("zh", "私钥如下%s请妥善保管。" % m("SECRET", "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA\\n-----END OPENSSH PRIVATE KEY-----"))
pos("en", "Mixed: mail %s, phone %s, card %s." % (m("EMAIL", email()), m("PHONE", mobile()), m("BANK_CARD", card())))
pos("zh", "用户%s在%s登录，手机%s。" % (m("EMAIL", email()), m("IP", ipv4()), m("PHONE", mobile())))

# Look-alike negatives.
for _ in range(20):
    neg("zh", "您的订单号%s已发货，请注意查收。" % card())
    neg("en", "Order number %s has shipped." % card())
    neg("zh", "身份证号%s的校验位不对，请重新输入。" % id_number(valid=False))
    neg("en", "The ID %s fails the checksum, so it was rejected." % id_number(valid=False))
    neg("zh", "卡号%s无效（校验失败）。" % card(valid=False))
    neg("en", "Test card %s is not a real card number." % grouped(card(valid=False, n=16)))
for _ in range(10):
    ts = "20%02d%02d%02d%02d%02d%02d" % (R.randint(10, 25), R.randint(1, 12), R.randint(1, 28),
                                       R.randint(0, 23), R.randint(0, 59), R.randint(0, 59))
    neg("zh", "日志时间戳%s，事件编号%d。" % (ts, R.randint(100000, 999999)))
    neg("en", "Unix time %d corresponds to a date in 2023." % R.randint(1672531200, 1704067199))
    neg("en", "The epoch in milliseconds is %d." % R.randint(1672531200000, 1704067199999))
    neg("zh", "会议时间为%02d:%02d:%02d，地点302会议室。" % (R.randint(0, 23), R.randint(0, 59), R.randint(0, 59)))
    neg("en", "Upgrade to version %d.%d.%d.%d before Friday." % (R.randint(1, 9), R.randint(0, 20), R.randint(0, 9), R.randint(0, 99)))
    neg("zh", "请安装版本%d.%d.%d.%d的驱动。" % (R.randint(1, 9), R.randint(0, 20), R.randint(0, 9), R.randint(0, 99)))
    neg("en", "The MAC address 00:1A:2B:%02X:%02X:%02X belongs to the printer." % (R.randint(0, 255), R.randint(0, 255), R.randint(0, 255)))
    neg("zh", "快递单号%s，预计三天送达。" % "".join(str(R.randint(0, 9)) for _ in range(R.choice([12, 13, 15]))))
    neg("en", "Invalid address 256.%d.%d.300 was typed in the form." % (R.randint(0, 255), R.randint(0, 255)))
    neg("zh", "本题答案是%d，计算过程为%d×%d。" % (R.randint(1000, 99999), R.randint(10, 999), R.randint(10, 999)))
    neg("en", "The population grew from %d to %d between 1990 and 2020." % (R.randint(10**6, 10**8), R.randint(10**6, 10**8)))
    neg("zh", "学号%s，班级三年二班。" % "".join(str(R.randint(0, 9)) for _ in range(10)))
    neg("en", "Use the @%s handle on social media." % R.choice(["openai", "zhangsan", "data_team"]))
    neg("en", "The ratio was 3:2:1 and the score 21:19.")
    neg("zh", "公式 a::b 在 C++ 里表示作用域。")
    neg("en", "Visit https://www.example.com/path?user=alice for details.")
    neg("zh", "邮箱格式应为 用户名@域名，例如 name at example dot com。")
    neg("en", "The tracking id %s is used internally." % card())
    neg("en", "Enter your password below and press OK.")
    neg("zh", "电话区号010代表北京，021代表上海。")
    neg("en", "ISBN 978-7-111-%05d-%d is on the reading list." % (R.randint(0, 99999), R.randint(0, 9)))
    neg("zh", "价格为%d.%02d元，折扣%d%%。" % (R.randint(1, 9999), R.randint(0, 99), R.randint(5, 50)))
    neg("en", "Chapter 3.2.1.4 covers the proof in detail.")
    neg("en", "Bearer bonds were common in the 19th century.")
    neg("zh", "统一社会信用代码示例为91350100M000100Y43。")

R.shuffle(lines)
print("# Labelled PII set for io.instructlake.clean (generated by make_pii_labelled.py, seed 20261122).")
print("# kind\tlang\tsentence; positives marked [[TYPE|value]]; \\n in a sentence is a newline.")
for kind, lang, s in lines:
    print("%s\t%s\t%s" % (kind, lang, s))
