package io.instructlake.corpus;

import java.util.List;
import java.util.Random;

/**
 * Word and phrase pools the generator draws from: bilingual (English, Chinese) instruction data in
 * the project's domains (finance, medicine, law, general, code). Written for this project.
 */
final class Vocabulary {
  private Vocabulary() {}

  static final List<String> CATEGORIES = List.of("finance", "medicine", "law", "general", "code");

  /** Skewed category mix: finance dominates, code is rare. */
  static final double[] CATEGORY_WEIGHTS = {0.45, 0.25, 0.15, 0.10, 0.05};

  static final List<String> LABELS = List.of("positive", "negative", "neutral");
  static final double[] LABEL_WEIGHTS = {0.70, 0.20, 0.10};

  static final String[][] EN_TOPICS = {
    {
      "compound interest",
      "a bond ladder",
      "index funds",
      "inflation hedging",
      "a household budget",
      "credit card debt",
      "a retirement account",
      "currency risk",
      "dividend stocks",
      "cash flow"
    },
    {
      "high blood pressure",
      "type 2 diabetes",
      "seasonal allergies",
      "a sprained ankle",
      "vitamin D deficiency",
      "sleep hygiene",
      "migraine triggers",
      "a balanced diet",
      "childhood vaccines",
      "lower back pain"
    },
    {
      "a rental agreement",
      "small claims court",
      "an employment contract",
      "intellectual property",
      "a power of attorney",
      "consumer refunds",
      "data privacy rules",
      "a last will",
      "traffic violations",
      "a non-disclosure agreement"
    },
    {
      "time management",
      "public speaking",
      "learning a language",
      "planning a trip",
      "writing a cover letter",
      "team meetings",
      "remote work",
      "a reading habit",
      "home gardening",
      "recycling at home"
    },
    {
      "a binary search",
      "a REST endpoint",
      "unit tests",
      "a SQL join",
      "memory leaks",
      "a linked list",
      "regular expressions",
      "a hash map",
      "exception handling",
      "code review"
    }
  };

  static final String[] EN_INSTRUCTIONS = {
    "Explain %s to a beginner.",
    "What are the main risks of %s?",
    "Give three practical tips about %s.",
    "Summarize the key facts about %s in a short paragraph.",
    "How should someone get started with %s?",
    "Compare two common approaches to %s.",
    "Write a short checklist for %s.",
    "What mistakes do people often make with %s?"
  };

  static final String[] EN_SENTENCES = {
    "The first thing to understand about %s is that small decisions add up over %d months.",
    "Most people who look into %s start by writing down their goals and reviewing them every %d weeks.",
    "A common mistake with %s is to ignore the details until problems become expensive.",
    "Experts usually recommend that you compare at least %d options before committing to anything.",
    "Keeping clear records makes %s much easier to manage when circumstances change.",
    "If you are unsure, ask a qualified professional, because every situation with %s is different.",
    "In practice, about %d percent of beginners underestimate how long %s takes to learn.",
    "It helps to break %s into smaller steps and to check your progress regularly.",
    "Reliable sources, such as official guidance, explain %s in plain language.",
    "The cost of getting %s wrong can be much higher than the cost of careful planning.",
    "Many people find that a simple routine, repeated %d times a week, is enough to see results.",
    "Before changing anything important, consider how %s affects the people around you.",
    "Good habits around %s are built slowly and are easy to lose when you stop paying attention.",
    "You should also review the assumptions behind %s at least once every %d months.",
    "Finally, remember that %s is a means to an end, not a goal in itself."
  };

  static final String[][] ZH_TOPICS = {
    {"复利", "债券投资", "指数基金", "通货膨胀", "家庭预算", "信用卡还款", "养老金账户", "汇率风险", "股票分红", "现金流管理"},
    {"高血压", "二型糖尿病", "季节性过敏", "脚踝扭伤", "维生素缺乏", "睡眠质量", "偏头痛", "均衡饮食", "儿童疫苗", "腰背疼痛"},
    {"租房合同", "小额诉讼", "劳动合同", "知识产权", "授权委托书", "消费者退款", "个人信息保护", "遗嘱订立", "交通违章", "保密协议"},
    {"时间管理", "公开演讲", "学习外语", "旅行计划", "求职信写作", "团队会议", "远程办公", "阅读习惯", "家庭园艺", "垃圾分类"},
    {"二分查找", "接口设计", "单元测试", "数据库连接查询", "内存泄漏", "链表", "正则表达式", "哈希表", "异常处理", "代码评审"}
  };

  static final String[] ZH_INSTRUCTIONS = {
    "请向初学者解释%s。",
    "%s有哪些主要风险？",
    "请给出三条关于%s的实用建议。",
    "用一段话概括%s的要点。",
    "应该如何开始了解%s？",
    "比较两种常见的%s方法。",
    "请写一份关于%s的简短清单。",
    "人们在%s方面常犯哪些错误？"
  };

  static final String[] ZH_SENTENCES = {
    "首先要明白，%s中的小决定会在%d个月后产生明显的影响。",
    "很多人在了解%s时，会先写下自己的目标，并且每%d周回顾一次。",
    "在%s方面，一个常见的错误是忽视细节，直到问题变得代价高昂。",
    "专家通常建议在做决定之前，至少比较%d种不同的方案。",
    "保持清晰的记录，可以让%s在情况变化时更容易管理。",
    "如果不确定，最好咨询专业人士，因为每个人的%s情况都不相同。",
    "实际上，大约百分之%d的初学者低估了掌握%s所需要的时间。",
    "把%s拆分成更小的步骤，并定期检查进展，会很有帮助。",
    "官方发布的指南通常会用通俗的语言解释%s的基本原理。",
    "在%s上犯错的代价，往往远高于事先认真规划的成本。",
    "许多人发现，每周坚持%d次简单的做法，就足以看到效果。",
    "在做出重要改变之前，要考虑%s会如何影响身边的人。",
    "关于%s的好习惯需要慢慢养成，一旦放松就很容易丢失。",
    "此外，还应该至少每%d个月重新审视一次%s背后的假设。",
    "最后请记住，%s只是实现目标的手段，而不是目标本身。"
  };

  static final String[] EN_SYSTEMS = {
    "You are a careful assistant for %s questions.", "Answer concisely and cite your reasoning."
  };
  static final String[] ZH_SYSTEMS = {"你是一名严谨的%s助手。", "请简洁地回答，并说明理由。"};

  static final String[] EN_SENTIMENT = {
    "The service at the branch was %s and the staff explained every fee.",
    "My appointment was %s; the doctor listened and answered all my questions.",
    "The contract review was %s and finished %d days early."
  };
  static final String[] EN_SENTIMENT_WORDS = {"excellent", "terrible", "acceptable"};

  static final String[] NAMES = {
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"
  };
  static final String[] DOMAINS = {"example.com", "mail.example.org", "corp.example.net"};

  static <T> T pick(Random r, T[] a) {
    return a[r.nextInt(a.length)];
  }

  static int weighted(Random r, double[] w) {
    double x = r.nextDouble();
    double acc = 0;
    for (int i = 0; i < w.length; i++) {
      acc += w[i];
      if (x < acc) {
        return i;
      }
    }
    return w.length - 1;
  }
}
